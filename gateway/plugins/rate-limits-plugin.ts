import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContext, type GraphQLRequestListener } from '@apollo/server';
import { Kind, type GraphQLFormattedError } from 'graphql';
import { ErrorCode, measureOperations, type Authority, type Logger } from '../../shared';
import type { GatewayContext } from '../agency-data-source';
import { operationSubjects } from '../operation-subjects';
import { http429, rateLimitedError, UNCOUNTED_MESSAGE, type RateLimiter, type Volume } from '../rate-limits';

/**
 * The volume an operation will fetch, once authorisation has filtered it:
 * its children as `measureOperations` counts them for the operation limit
 * (on the filtered document), and its `searchChildren` root fields that were
 * not withheld, by kind.
 */
export function volumeOf(rc: GraphQLRequestContext<GatewayContext>, listSizes: Readonly<Record<string, number>>): Volume {
  const operations = (rc.document?.definitions ?? []).filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const index = operations.findIndex((o) => operations.length === 1 || o.name?.value === rc.operationName);
  const measures = rc.document && index >= 0 ? measureOperations(rc.schema, rc.document, rc.request.variables ?? {}, { listSizes }) : [];
  const withheld = new Set((rc.contextValue.filtered ?? []).filter((d) => d.path.length === 1).map((d) => d.path[0]));
  const searches = operationSubjects(rc)
    .fields.filter((f) => f.search && !withheld.has(f.key))
    .map((f) => f.search!);
  return {
    children: measures[index]?.children ?? 0,
    searches: searches.length,
    fuzzySearches: searches.filter((s) => s.fuzzy === true).length,
    postcodeSearches: searches.filter((s) => typeof s.postcode === 'string' && s.postcode.trim() !== '').length,
  };
}

/** The rate limits' plugin, with the means to hold another plugin back until its decision is made. */
export interface RateLimitsPlugin extends ApolloServerPlugin<GatewayContext> {
  /** `inner`, whose `didResolveOperation` is called once this request's decision is made, so that it sees a refusal in `context.filtered`. */
  recordedAfter(inner: ApolloServerPlugin<GatewayContext>): ApolloServerPlugin<GatewayContext>;
}

/** A refusal the plugin answers with, once every plugin's `didResolveOperation` is done. */
interface Refusal {
  status: number;
  error: GraphQLFormattedError;
  retryAfter?: number;
}

/**
 * The volume limits on each operation, once authorisation has filtered it
 * (place it after authorisation) and before anything is fetched. A refusal is
 * added to `context.filtered` as the whole operation withheld under the policy
 * `gateway:rate-limit`, so that the gateway's audit log records it (wrap the
 * audit plugin in `recordedAfter` so that it waits for the decision), and is
 * answered from `responseForOperation`: after every `didResolveOperation` (the
 * audit line is written), instead of executing, so no agency is asked anything.
 */
export function rateLimitsPlugin(limiter: RateLimiter, options: { listSizes: Readonly<Record<string, number>>; logger: Logger }): RateLimitsPlugin {
  const decisions = new WeakMap<object, Promise<Refusal | null>>();
  // The whole operation (an empty path), as the audit log records what was withheld.
  const withheldWhole = (rc: GraphQLRequestContext<GatewayContext>, reason: string) => {
    rc.contextValue.filtered = [...(rc.contextValue.filtered ?? []), { path: [], coordinate: '', policy: 'gateway:rate-limit', reason }];
  };
  const decide = async (rc: GraphQLRequestContext<GatewayContext>, authority: Authority): Promise<Refusal | null> => {
    try {
      const exceeded = await limiter.volume(authority.caller.sub, volumeOf(rc, options.listSizes));
      if (!exceeded) return null;
      options.logger.warn({ caller: authority.caller.sub, ...exceeded, traceId: authority.traceId }, 'refused an operation over a rate limit');
      withheldWhole(rc, `over the limit on ${exceeded.limit} (${exceeded.max} a minute): nothing fetched`);
      return { status: 429, error: rateLimitedError(exceeded), retryAfter: exceeded.retryAfter };
    } catch (error) {
      options.logger.error(
        { err: error, caller: authority.caller.sub, traceId: authority.traceId },
        'could not count an operation against the rate limits: refused',
      );
      withheldWhole(rc, 'the rate counters could not be read: nothing fetched');
      return { status: 500, error: { message: UNCOUNTED_MESSAGE, extensions: { code: ErrorCode.AUDIT_UNAVAILABLE } } };
    }
  };
  const recordedAfter = (inner: ApolloServerPlugin<GatewayContext>): ApolloServerPlugin<GatewayContext> => ({
    ...inner,
    async requestDidStart(rc) {
      const listener: GraphQLRequestListener<GatewayContext> | void = await inner.requestDidStart?.(rc);
      const resolved = listener?.didResolveOperation?.bind(listener);
      if (!listener || !resolved) return listener;
      return {
        ...listener,
        async didResolveOperation(rc) {
          await decisions.get(rc.request);
          await resolved(rc);
        },
      };
    },
  });
  return {
    recordedAfter,
    async requestDidStart() {
      return {
        // Not awaited before the later plugins' hooks start (Apollo Server calls them all at once): `recordedAfter` waits for it.
        didResolveOperation(rc) {
          const decision = decide(rc, rc.contextValue.authority);
          decisions.set(rc.request, decision);
          return decision.then(() => undefined);
        },
        async responseForOperation(rc) {
          const refusal = await decisions.get(rc.request);
          if (!refusal) return null;
          const http = refusal.retryAfter ? http429(refusal.retryAfter) : { status: refusal.status, headers: new HeaderMap() };
          return { http, body: { kind: 'single', singleResult: { errors: [refusal.error] } } };
        },
      };
    },
  };
}
