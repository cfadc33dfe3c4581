import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type RedisClientType } from 'redis';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import {
  AgencyDataSource,
  createRateLimiter,
  DEFAULT_RATE_LIMITS,
  loadGatewayConfig,
  MemorySharedState,
  RedisSharedState,
  requestDeadline,
  type GatewayContext,
  type RateLimitExceeded,
  type SharedState,
} from '../../gateway';
import { createLogger, type Authority } from '../../shared';

const MINUTE = 60_000;
/** 15 seconds into a minute of the clock: 45 seconds to wait. */
const START = 29_000_000 * MINUTE + 15_000;

/** Each shared state the counters may live in: in memory always, Redis too when REDIS_URL is set. */
const states: [string, () => Promise<{ state: SharedState; close: () => Promise<void> }>][] = [
  ['in memory', async () => ({ state: new MemorySharedState(), close: async () => undefined })],
  ...(process.env.REDIS_URL
    ? [
        [
          'in Redis',
          async () => {
            const client = createClient({ url: process.env.REDIS_URL }) as RedisClientType;
            await client.connect();
            const prefix = `cvtest:rl:${randomBytes(6).toString('hex')}:`;
            return {
              state: new RedisSharedState(client, prefix),
              close: async () => {
                for await (const keys of client.scanIterator({ MATCH: `${prefix}*` })) if (keys.length) await client.del(keys);
                await client.quit();
              },
            };
          },
        ] as [string, () => Promise<{ state: SharedState; close: () => Promise<void> }>],
      ]
    : []),
];

/** What a refusal threw: its code, limit, maximum, seconds to wait, and HTTP status and Retry-After. */
function refusal(error: unknown) {
  const { code, limit, max, retryAfter, http } = (error as { extensions: Record<string, any> }).extensions;
  return { code, limit, max, retryAfter, status: http?.status, header: http?.headers?.get('retry-after') };
}

async function thrown(attempt: () => unknown): Promise<unknown> {
  try {
    await attempt();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

describe.each(states)('rate counters %s', (_name, open) => {
  let state: SharedState;
  let close: () => Promise<void>;
  let clock: number;
  beforeEach(async () => {
    ({ state, close } = await open());
    clock = START;
  });
  afterEach(() => close());
  const limiter = (limits = {}, secret = 'secret') => createRateLimiter({ state, secret, limits, now: () => clock });

  it('adds any amount to a counter, and takes it back out, in one expiring key', async () => {
    expect(await state.increment('k', 60)).toBe(1);
    expect(await state.increment('k', 60, 499)).toBe(500);
    expect(await state.increment('k', 60, -499)).toBe(1);
  });

  it('serves a caller up to the request limit and refuses the next until the minute ends', async () => {
    const limits = limiter({ requests: 3 });
    for (let i = 0; i < 3; i++) await limits.request('sw.jones');
    expect(refusal(await thrown(() => limits.request('sw.jones')))).toEqual({
      code: 'RATE_LIMITED',
      limit: 'requests',
      max: 3,
      retryAfter: 45,
      status: 429,
      header: '45',
    });
    clock += 44_000;
    expect(refusal(await thrown(() => limits.request('sw.jones')))).toMatchObject({ limit: 'requests', retryAfter: 1 });
    clock += 1_000;
    await expect(limits.request('sw.jones')).resolves.toBeUndefined();
  });

  it('counts each caller apart', async () => {
    const limits = limiter({ requests: 1 });
    await limits.request('sw.jones');
    await expect(limits.request('sw.jones')).rejects.toThrow(/limit on requests/);
    await expect(limits.request('sw.ahmed')).resolves.toBeUndefined();
  });

  it('counts a caller on every replica sharing the state and the secret', async () => {
    const [a, b] = [limiter({ requests: 2 }), limiter({ requests: 2 })];
    await a.request('gp.smith');
    await b.request('gp.smith');
    await expect(a.request('gp.smith')).rejects.toThrow(/limit on requests/);
    await expect(b.request('gp.smith')).rejects.toThrow(/limit on requests/);
  });

  it('refuses the caseload that would take a caller past the children limit, and counts it for nothing', async () => {
    const limits = limiter({ children: 1000 });
    expect(await limits.volume('sw.jones', { children: 500 })).toBeNull();
    expect(await limits.volume('sw.jones', { children: 400 })).toBeNull();
    expect(await limits.volume('sw.jones', { children: 500 })).toEqual<RateLimitExceeded>({ limit: 'children', max: 1000, retryAfter: 45 });
    // The refused 500 were taken back out: the 100 left in the minute are still there to use.
    expect(await limits.volume('sw.jones', { children: 100 })).toBeNull();
    expect(await limits.volume('sw.jones', { children: 1 })).toMatchObject({ limit: 'children' });
    clock += MINUTE;
    expect(await limits.volume('sw.jones', { children: 1000 })).toBeNull();
  });

  it('holds fuzzy and postcode searches to their own, tighter, limits and names the first exceeded', async () => {
    const limits = limiter({ searches: 4, fuzzySearches: 2, postcodeSearches: 1 });
    const fuzzy = { searches: 1, fuzzySearches: 1, children: 10 };
    expect(await limits.volume('tm.patel', fuzzy)).toBeNull();
    expect(await limits.volume('tm.patel', fuzzy)).toBeNull();
    expect(await limits.volume('tm.patel', fuzzy)).toMatchObject({ limit: 'fuzzySearches', max: 2 });
    expect(await limits.volume('tm.patel', { searches: 1, postcodeSearches: 1 })).toBeNull();
    expect(await limits.volume('tm.patel', { searches: 1, postcodeSearches: 1 })).toMatchObject({ limit: 'postcodeSearches', max: 1 });
    expect(await limits.volume('tm.patel', { searches: 1 })).toBeNull();
    // Two searches in one operation (aliases): one over the limit refuses both.
    expect(await limits.volume('tm.patel', { searches: 2 })).toMatchObject({ limit: 'searches', max: 4 });
    expect(await limits.volume('tm.patel', {})).toBeNull();
  });

  it('keeps callers only as keyed hashes', async () => {
    if (!(state instanceof MemorySharedState)) return;
    const limits = limiter();
    await limits.request('sw.jones');
    await limits.volume('sw.jones', { children: 3, searches: 1 });
    const keys = state.entries().map((e) => e.key);
    expect(keys).toHaveLength(3);
    expect(keys.join(' ')).not.toMatch(/sw\.jones/);
    // Another secret, another hash: the keys say nothing without it.
    await limiter({}, 'another secret').request('sw.jones');
    expect(new Set(state.entries().map((e) => e.key.split(':')[2])).size).toBe(2);
  });
});

describe('requests in flight', () => {
  const limiter = () => createRateLimiter({ state: new MemorySharedState(), secret: 's', limits: { concurrent: 2 } });
  const deferred = () => {
    let settle!: (ok: boolean) => void;
    const promise = new Promise<void>((resolve, reject) => (settle = (ok) => (ok ? resolve() : reject(new Error('cut off')))));
    promise.catch(() => undefined);
    return { promise, settle };
  };

  it('refuses a caller past the cap until one of theirs finishes, whoever else is in flight', async () => {
    const limits = limiter();
    const [first, second] = [deferred(), deferred()];
    limits.enter('sw.jones', first.promise);
    limits.enter('sw.jones', second.promise);
    expect(refusal(await thrown(() => limits.enter('sw.jones', deferred().promise)))).toEqual({
      code: 'RATE_LIMITED',
      limit: 'concurrent',
      max: 2,
      retryAfter: 1,
      status: 429,
      header: '1',
    });
    expect(() => limits.enter('sw.ahmed', deferred().promise)).not.toThrow();
    // A request cut off frees its slot as one that finished does.
    first.settle(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(() => limits.enter('sw.jones', deferred().promise)).not.toThrow();
  });

  it('holds nothing once every request has finished', async () => {
    const limits = limiter();
    const all = Array.from({ length: 40 }, (_, i) => {
      const d = deferred();
      try {
        limits.enter(`caller-${i % 20}`, d.promise);
      } catch {
        // The third of a caller's is refused: nothing to free.
      }
      return d;
    });
    expect(limits.inFlight()).toBe(40);
    all.forEach((d, i) => d.settle(i % 2 === 0));
    await new Promise((resolve) => setImmediate(resolve));
    expect(limits.inFlight()).toBe(0);
  });
});

describe('a shared state that cannot be read', () => {
  const broken: SharedState = {
    get: async () => {
      throw new Error('redis down');
    },
    set: async () => {
      throw new Error('redis down');
    },
    delete: async () => {
      throw new Error('redis down');
    },
    increment: async () => {
      throw new Error('redis down');
    },
    addToSet: async () => {
      throw new Error('redis down');
    },
  };

  it('refuses the request (fail closed) with AUDIT_UNAVAILABLE, HTTP 500', async () => {
    const limits = createRateLimiter({ state: broken, secret: 's', logger: createLogger('test', 'silent') });
    expect(refusal(await thrown(() => limits.request('sw.jones')))).toMatchObject({ code: 'AUDIT_UNAVAILABLE', status: 500 });
    await expect(limits.volume('sw.jones', { children: 1 })).rejects.toThrow('redis down');
  });
});

describe('rate limit configuration', () => {
  const base = { AUTH_TRUST_DEV_KEY: 'true' };

  it('defaults to real use, and takes each RATE_ variable and the deadline', () => {
    expect(loadGatewayConfig(base)).toMatchObject({ rateLimits: DEFAULT_RATE_LIMITS, requestDeadlineMs: 30_000 });
    expect(loadGatewayConfig({ ...base, RATE_SEARCHES_PER_MINUTE: '40', RATE_CONCURRENT_REQUESTS: '4', REQUEST_DEADLINE_MS: '5000' })).toMatchObject({
      rateLimits: { ...DEFAULT_RATE_LIMITS, searches: 40, concurrent: 4 },
      requestDeadlineMs: 5000,
    });
  });

  it('refuses a children limit a minute below what one operation may ask for', () => {
    expect(() => loadGatewayConfig({ ...base, RATE_CHILDREN_PER_MINUTE: '400' })).toThrow(
      'RATE_CHILDREN_PER_MINUTE="400": must be at least MAX_QUERY_CHILDREN (500)',
    );
    expect(loadGatewayConfig({ ...base, RATE_CHILDREN_PER_MINUTE: '400', MAX_QUERY_CHILDREN: '400' }).rateLimits.children).toBe(400);
  });

  it.each([
    ['RATE_REQUESTS_PER_MINUTE', '0'],
    ['RATE_CHILDREN_PER_MINUTE', 'lots'],
    ['RATE_POSTCODE_SEARCHES_PER_MINUTE', '-1'],
    ['REQUEST_DEADLINE_MS', '1.5'],
  ])('stops the gateway on %s=%p, naming both', (name, value) => {
    expect(() => loadGatewayConfig({ ...base, [name]: value })).toThrow(`${name}="${value}": expected a whole number above 0`);
  });
});

/** A subgraph that never answers, and counts the requests it was sent and those whose caller gave up. */
async function stallingSubgraph() {
  const seen = { requests: 0, abandoned: 0 };
  const open = new Set<IncomingMessage>();
  const server: Server = createServer((req, res) => {
    seen.requests++;
    open.add(req);
    res.on('close', () => {
      open.delete(req);
      if (!res.writableEnded) seen.abandoned++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    url,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("a request's deadline", () => {
  const authority: Authority = {
    caller: { sub: 'sw.jones', name: 'Sam Jones', org: 'NS001', orgType: 'local-authority', roles: ['social-worker'] },
    purpose: 'safeguarding',
    traceId: 't',
  };
  const sourceFor = (url: string, timeoutMs = 10_000) =>
    new AgencyDataSource('socialcare', url, { timeoutMs, logger: createLogger('test', 'silent'), signContext: async () => 'signed' });
  const call = (source: AgencyDataSource, context: GatewayContext) =>
    source.process({
      kind: GraphQLDataSourceRequestKind.HEALTH_CHECK,
      request: { query: '{ __typename }' },
      context,
    } as never);
  const code = async (attempt: Promise<unknown>) => ((await thrown(() => attempt)) as { extensions: Record<string, unknown> }).extensions;

  it('cancels a call to an agency still running when it passes, with DEADLINE_EXCEEDED naming the agency', async () => {
    const subgraph = await stallingSubgraph();
    let finish!: () => void;
    const deadline = requestDeadline(300, new Promise<void>((resolve) => (finish = resolve)));
    const started = Date.now();
    expect(await code(call(sourceFor(subgraph.url), { authority, deadline }))).toEqual({ code: 'DEADLINE_EXCEEDED', agency: 'socialcare' });
    expect(Date.now() - started).toBeLessThan(3_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(subgraph.seen).toEqual({ requests: 1, abandoned: 1 });
    finish();
    await subgraph.close();
  });

  it('cancels every call of the request to an agency, also two that carry the same signed context', async () => {
    // EdDSA signatures are deterministic: two calls of one request to one agency within a second carry one token.
    const subgraph = await stallingSubgraph();
    let finish!: () => void;
    const deadline = requestDeadline(300, new Promise<void>((resolve) => (finish = resolve)));
    const source = sourceFor(subgraph.url);
    const calls = [code(call(source, { authority, deadline })), code(call(source, { authority, deadline }))];
    expect(await calls[0]).toEqual({ code: 'DEADLINE_EXCEEDED', agency: 'socialcare' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Both calls were cut off when the deadline passed, not one left running until its own 10 s timeout.
    expect(subgraph.seen).toEqual({ requests: 2, abandoned: 2 });
    expect(await calls[1]).toEqual({ code: 'DEADLINE_EXCEEDED', agency: 'socialcare' });
    finish();
    await subgraph.close();
  });

  it('starts no call once it has passed', async () => {
    const subgraph = await stallingSubgraph();
    const deadline = requestDeadline(1, new Promise<void>(() => undefined));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await code(call(sourceFor(subgraph.url), { authority, deadline }))).toEqual({ code: 'DEADLINE_EXCEEDED', agency: 'socialcare' });
    expect(subgraph.seen.requests).toBe(0);
    await subgraph.close();
  });

  it("leaves a call's own timeout reported as the agency unavailable", async () => {
    const subgraph = await stallingSubgraph();
    const deadline = requestDeadline(5_000, Promise.resolve());
    expect(await code(call(sourceFor(subgraph.url, 200), { authority, deadline }))).toEqual({ code: 'AGENCY_UNAVAILABLE', agency: 'socialcare' });
    await subgraph.close();
  });

  it('is let go once the request has finished', async () => {
    let finish!: () => void;
    const deadline = requestDeadline(200, new Promise<void>((resolve) => (finish = resolve)));
    finish();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(deadline.aborted).toBe(false);
  });
});
