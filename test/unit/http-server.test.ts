import { connect } from 'node:net';
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

/** A service answering `{ quick }`, with the timeouts given, and the `finished` of each request its context was built with. */
async function serviceWithTimeouts(timeouts: Parameters<typeof listen>[1]['timeouts']) {
  const apollo = new ApolloServer({ typeDefs: 'type Query { quick: String }', resolvers: { Query: { quick: () => 'quick' } } });
  await apollo.start();
  const finished: Promise<void>[] = [];
  const service = await listen(apollo, { port: 0, ready: async () => true, timeouts, context: async (_req, _body, done) => (finished.push(done), {}) });
  return { service, apollo, finished, port: service.port };
}

/** A raw TCP connection: what it sent, what it received, and when the server closed it. */
function rawConnection(port: number) {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString()));
  socket.on('error', () => undefined);
  const opened = Date.now();
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - opened)));
  return { socket, closed, received: () => received };
}

const request = (body: string, contentType = 'application/json') =>
  `POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('timeouts on each connection', () => {
  it('answers 408 and closes a connection whose headers stall, after the headers timeout', async () => {
    const { service, apollo, port } = await serviceWithTimeouts({ headersMs: 300, requestMs: 2_000 });
    const stalled = rawConnection(port);
    stalled.socket.write('POST /graphql HTTP/1.1\r\nHost: test\r\n');
    const after = await stalled.closed;
    expect(stalled.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(after).toBeGreaterThanOrEqual(250);
    expect(after).toBeLessThan(2_000);
    await service.close();
    await apollo.stop();
  });

  it('cuts off a body sent a byte at a time after the request timeout, and holds nothing after', async () => {
    const { service, apollo, port } = await serviceWithTimeouts({ headersMs: 300, requestMs: 800 });
    const slow = rawConnection(port);
    slow.socket.write('POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    const trickle = setInterval(() => slow.socket.writable && slow.socket.write(' '), 50);
    const after = await slow.closed;
    clearInterval(trickle);
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(after).toBeGreaterThanOrEqual(750);
    expect(after).toBeLessThan(2_500);
    // The handler that was reading the body has ended: closing does not wait for it.
    const closing = Date.now();
    await service.close({ graceMs: 5_000 });
    expect(Date.now() - closing).toBeLessThan(1_000);
    await apollo.stop();
  });

  it('serves a request on a kept-alive connection idle for longer than the headers timeout, and closes it once idle past the keep-alive timeout', async () => {
    const { service, apollo, port } = await serviceWithTimeouts({ headersMs: 200, requestMs: 400, keepAliveMs: 900 });
    const kept = rawConnection(port);
    kept.socket.write(request('{"query":"{ quick }"}'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    kept.socket.write(request('{"query":"{ quick }"}'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(kept.received().match(/HTTP\/1\.1 200/g)).toHaveLength(2);
    const closedAfter = await kept.closed;
    expect(closedAfter).toBeGreaterThanOrEqual(1_300);
    expect(closedAfter).toBeLessThan(4_000);
    await service.close();
    await apollo.stop();
  });

  it('tells the context when its request is done with', async () => {
    const { service, apollo, finished } = await serviceWithTimeouts({});
    let done = false;
    const response = await fetch(service.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ quick }"}' });
    void finished[0]!.then(() => (done = true));
    await response.json();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(done).toBe(true);
    await service.close();
    await apollo.stop();
  });
});

describe("the body's content type", () => {
  let service: HttpService;
  let apollo: ApolloServer;
  beforeAll(async () => ({ service, apollo } = await serviceWithTimeouts({})));
  afterAll(async () => {
    await service.close();
    await apollo.stop();
  });
  const post = async (contentType: string) => {
    const response = await fetch(service.url, { method: 'POST', headers: { 'content-type': contentType }, body: '{"query":"{ quick }"}' });
    return [response.status, await response.json()];
  };

  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8', 'application/json ; charset=utf-8'])(
    'takes %p',
    async (type) => {
      expect(await post(type)).toEqual([200, { data: { quick: 'quick' } }]);
    },
  );

  it.each([
    'application/jsonx',
    'application/json-patch+json',
    'text/plain; application/json',
    'text/plain;charset=application/json',
    'xapplication/json',
    'application/x-www-form-urlencoded',
  ])('refuses %p with 415, before reading the body', async (type) => {
    expect(await post(type)).toEqual([415, { errors: [{ message: expect.stringContaining('application/json'), extensions: { code: 'BAD_REQUEST' } }] }]);
  });
});
