import { ApolloServer } from '@apollo/server';
import { listen, type HttpService } from '../../shared';

/** A service whose `slow` field answers only when the test lets it. */
async function serviceWithSlowField() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const startedSlow = new Promise<void>((resolve) => (started = resolve));
  const finished = { slow: false };
  const apollo = new ApolloServer({
    typeDefs: 'type Query { slow: String quick: String }',
    resolvers: {
      Query: {
        slow: async () => {
          started();
          await gate;
          finished.slow = true;
          return 'done';
        },
        quick: () => 'quick',
      },
    },
  });
  await apollo.start();
  const service: HttpService = await listen(apollo, { port: 0, ready: async () => true, context: async () => ({}) });
  const ask = (query: string, signal?: AbortSignal) =>
    fetch(service.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }), signal });
  return { service, apollo, ask, release, startedSlow, finished };
}

describe('closing the HTTP service', () => {
  it('lets the requests being served finish, and takes no new ones', async () => {
    const { service, apollo, ask, release, startedSlow } = await serviceWithSlowField();
    const inFlight = ask('{ slow }');
    await startedSlow;
    const closing = service.close();
    await expect(ask('{ quick }')).rejects.toThrow();
    // A second close (SIGINT after SIGTERM) is the same close.
    expect(service.close()).toBe(closing);
    release();
    const response = await inFlight;
    expect([response.status, await response.json()]).toEqual([200, { data: { slow: 'done' } }]);
    await closing;
    await apollo.stop();
  });

  it('lets a request finish after its client has gone away, before it says it is closed', async () => {
    const { service, apollo, ask, release, startedSlow, finished } = await serviceWithSlowField();
    const abort = new AbortController();
    const inFlight = ask('{ slow }', abort.signal);
    await startedSlow;
    abort.abort();
    await expect(inFlight).rejects.toThrow();
    let closed = false;
    const closing = service.close().then(() => (closed = true));
    // Nothing but the release lets the request finish, so the service cannot be closed yet.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closed).toBe(false);
    release();
    await closing;
    expect(finished.slow).toBe(true);
    await apollo.stop();
  });

  it('cuts off a request that outlasts the grace period', async () => {
    const { service, apollo, ask, release, startedSlow, finished } = await serviceWithSlowField();
    const inFlight = ask('{ slow }');
    await startedSlow;
    await service.close({ graceMs: 50 });
    await expect(inFlight).rejects.toThrow();
    expect(finished.slow).toBe(false);
    release();
    await apollo.stop();
  });
});
