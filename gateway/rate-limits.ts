import { createHmac } from 'node:crypto';
import { HeaderMap } from '@apollo/server';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { env, ErrorCode, formattedError, graphqlError, type Logger } from '../shared';
import type { SharedState } from './shared-state';

/**
 * The most one caller may ask of the gateway: each a minute, except `concurrent`
 * (at once, on one replica). docs/limits.md gives each default its reason.
 */
export interface RateLimits {
  /** `RATE_REQUESTS_PER_MINUTE`: requests, whatever they ask. @default 120 */
  requests: number;
  /** `RATE_CHILDREN_PER_MINUTE`: children, counted as the operation limit `children` counts them (a search is its 10 results). @default 2000 */
  children: number;
  /** `RATE_SEARCHES_PER_MINUTE`: `searchChildren` root fields, of any kind. @default 20 */
  searches: number;
  /** `RATE_FUZZY_SEARCHES_PER_MINUTE`: searches with `fuzzy: true`. @default 10 */
  fuzzySearches: number;
  /** `RATE_POSTCODE_SEARCHES_PER_MINUTE`: searches that give a postcode. @default 5 */
  postcodeSearches: number;
  /** `RATE_CONCURRENT_REQUESTS`: requests in flight at once, on one replica. @default 10 */
  concurrent: number;
}

export type RateLimit = keyof RateLimits;

export const DEFAULT_RATE_LIMITS: Readonly<RateLimits> = {
  requests: 120,
  children: 2000,
  searches: 20,
  fuzzySearches: 10,
  postcodeSearches: 5,
  concurrent: 10,
};

/** Each limit's environment variable. */
export const RATE_LIMIT_VARIABLES: Readonly<Record<RateLimit, string>> = {
  requests: 'RATE_REQUESTS_PER_MINUTE',
  children: 'RATE_CHILDREN_PER_MINUTE',
  searches: 'RATE_SEARCHES_PER_MINUTE',
  fuzzySearches: 'RATE_FUZZY_SEARCHES_PER_MINUTE',
  postcodeSearches: 'RATE_POSTCODE_SEARCHES_PER_MINUTE',
  concurrent: 'RATE_CONCURRENT_REQUESTS',
};

const LIMITS = Object.keys(RATE_LIMIT_VARIABLES) as RateLimit[];

/** The limits' variables for `readEnv`, each a whole number above 0 with its default. */
export function rateLimitsShape() {
  return Object.fromEntries(LIMITS.map((limit) => [RATE_LIMIT_VARIABLES[limit], env.positiveInt(DEFAULT_RATE_LIMITS[limit])]));
}

/** The limits from values `readEnv` checked with `rateLimitsShape()`. */
export function rateLimitsFrom(values: Record<string, unknown>): RateLimits {
  return Object.fromEntries(LIMITS.map((limit) => [limit, values[RATE_LIMIT_VARIABLES[limit]] as number])) as unknown as RateLimits;
}

/** What a refusal says: which limit, its maximum, and when to try again. */
export interface RateLimitExceeded {
  limit: RateLimit;
  max: number;
  retryAfter: number;
}

/** The refusal's body: RATE_LIMITED naming the limit, its maximum and the seconds to wait. */
export function rateLimitedError({ limit, max, retryAfter }: RateLimitExceeded): GraphQLFormattedError {
  return formattedError(ErrorCode.RATE_LIMITED, rateLimitedMessage({ limit, max, retryAfter }), { limit, max, retryAfter });
}

function rateLimitedMessage({ limit, max, retryAfter }: RateLimitExceeded): string {
  const per = limit === 'concurrent' ? 'at once' : 'a minute';
  return `Too many requests: the limit on ${limit} is ${max} ${per} for each caller. Nothing was fetched; retry after ${retryAfter} seconds.`;
}

/** HTTP 429 with `Retry-After`, as Apollo Server applies an error's `extensions.http`. */
export function http429(retryAfter: number) {
  return { status: 429, headers: new HeaderMap([['retry-after', String(retryAfter)]]) };
}

function rateLimited({ limit, max, retryAfter }: RateLimitExceeded): GraphQLError {
  return graphqlError(ErrorCode.RATE_LIMITED, rateLimitedMessage({ limit, max, retryAfter }), { limit, max, retryAfter, http: http429(retryAfter) });
}

/** What a request is told when it cannot be counted. */
export const UNCOUNTED_MESSAGE =
  "The request could not be counted against the rate limits (the gateway's shared state did not answer), so nothing is disclosed.";

/** Fail closed, as unusual access does when its counters cannot be read: AUDIT_UNAVAILABLE, HTTP 500. */
function uncounted(): GraphQLError {
  return graphqlError(ErrorCode.AUDIT_UNAVAILABLE, UNCOUNTED_MESSAGE, { http: { status: 500 } });
}

/** What an operation adds to the volume limits. */
export type Volume = Partial<Record<'children' | 'searches' | 'fuzzySearches' | 'postcodeSearches', number>>;
const VOLUME_LIMITS = ['children', 'searches', 'fuzzySearches', 'postcodeSearches'] as const;

export interface RateLimiterOptions {
  state: SharedState;
  /** Keys the hash of each caller in the shared state (replicas sharing state share it). */
  secret: string;
  /** @default DEFAULT_RATE_LIMITS, each one given replacing its default */
  limits?: Partial<RateLimits>;
  /** The clock minutes are read from. @default Date.now */
  now?: () => number;
  logger?: Logger;
}

const MINUTE_MS = 60_000;
// Each minute's counters outlive it a little, for replicas whose clocks differ; they are never read after.
const COUNTER_TTL_SECONDS = 120;

/**
 * Counts each caller's requests, children and searches a minute in the shared
 * state (Redis when configured, so that every replica counts together), and
 * their requests in flight on this replica. A caller is kept only as a keyed
 * hash of their `sub`, as unusual access keeps them; no record value is held.
 * Each minute is a fixed window of the clock.
 */
export function createRateLimiter(options: RateLimiterOptions) {
  const limits: RateLimits = { ...DEFAULT_RATE_LIMITS, ...options.limits };
  const now = options.now ?? Date.now;
  const callerKey = (sub: string) => createHmac('sha256', options.secret).update(`caller\n${sub}`).digest('hex').slice(0, 32);
  const inFlight = new Map<string, number>();

  const minute = () => {
    const at = now();
    const current = Math.floor(at / MINUTE_MS);
    return { current, retryAfter: Math.max(1, Math.ceil(((current + 1) * MINUTE_MS - at) / 1000)) };
  };
  const counter = (limit: RateLimit, sub: string, current: number) => `rl:${limit}:${callerKey(sub)}:${current}`;

  return {
    limits,
    /**
     * Takes one of the caller's slots on this replica until `finished` settles
     * (the request handled and its response done with), or throws RATE_LIMITED `concurrent`.
     */
    enter(sub: string, finished: Promise<unknown>): void {
      const taken = inFlight.get(sub) ?? 0;
      if (taken >= limits.concurrent) throw rateLimited({ limit: 'concurrent', max: limits.concurrent, retryAfter: 1 });
      inFlight.set(sub, taken + 1);
      const leave = () => {
        const left = (inFlight.get(sub) ?? 1) - 1;
        if (left > 0) inFlight.set(sub, left);
        else inFlight.delete(sub);
      };
      void finished.then(leave, leave);
    },
    /** Requests in flight on this replica, every caller's: for tests that check nothing is held after a burst. */
    inFlight: (): number => [...inFlight.values()].reduce((sum, n) => sum + n, 0),
    /** Counts one request; throws RATE_LIMITED `requests` past the limit, or AUDIT_UNAVAILABLE if the state cannot be read. */
    async request(sub: string): Promise<void> {
      const { current, retryAfter } = minute();
      let count: number;
      try {
        count = await options.state.increment(counter('requests', sub, current), COUNTER_TTL_SECONDS);
      } catch (error) {
        options.logger?.error({ err: error, caller: sub }, 'could not count a request against the rate limits: refused');
        throw uncounted();
      }
      if (count > limits.requests) throw rateLimited({ limit: 'requests', max: limits.requests, retryAfter });
    },
    /**
     * Adds an operation's volume to the caller's minute. Past a limit, the first
     * exceeded (in the order of `Volume`) is returned and the volume taken back
     * out, so that a refused operation, which fetched nothing, counts for nothing.
     * Throws if the state cannot be read.
     */
    async volume(sub: string, volume: Volume): Promise<RateLimitExceeded | null> {
      const { current, retryAfter } = minute();
      const added = VOLUME_LIMITS.filter((limit) => (volume[limit] ?? 0) > 0);
      const counts = await Promise.all(added.map((limit) => options.state.increment(counter(limit, sub, current), COUNTER_TTL_SECONDS, volume[limit])));
      const over = added.findIndex((limit, i) => counts[i]! > limits[limit]);
      if (over < 0) return null;
      await Promise.all(added.map((limit) => options.state.increment(counter(limit, sub, current), COUNTER_TTL_SECONDS, -volume[limit]!))).catch(
        (error: unknown) => options.logger?.warn({ err: error, caller: sub }, 'could not take a refused operation back out of the rate counters'),
      );
      return { limit: added[over]!, max: limits[added[over]!], retryAfter };
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
