import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, BaseContext, GraphQLRequestContext } from '@apollo/server';
import { unauthenticated, type Authority } from '../../common';
import {
  callerAttributesKey,
  decideFieldForCaller,
  filterOperation,
  restoreDenied,
  selectionsIn,
  type Denial,
  type DeniedPath,
  type FilteredOperation,
  type Policies,
  type PolicyMap,
} from '../../policy';

/**
 * `enforce` removes what the caller may never see before execution; `dry-run`
 * removes nothing and reports what it would have denied (for rolling out a
 * policy); `off` exists only for benchmarks.
 */
export type AuthorizationMode = 'enforce' | 'dry-run' | 'off';

export interface OperationAuthorizationOptions<C extends BaseContext> {
  policyMap: PolicyMap;
  policies: Policies;
  mode: AuthorizationMode;
  authorityOf: (context: C) => Authority | null;
  /** Coordinates always allowed (federation's own fields in a subgraph). @default none */
  alwaysAllowed?: ReadonlySet<string>;
  /** Only policies for which this is true are decided here; others are left to their own agency. @default all */
  decides?: (policy: string) => boolean;
  /** Filtered operations kept, per operation and caller attributes. @default 2000 */
  cacheSize?: number;
  /** Selections kept across every cached filtered operation: the cache is bounded by size, not only by count. @default 200000 */
  cacheSelections?: number;
  /** Told what was withheld from each operation (the gateway's audit log). */
  onFiltered?: (context: C, denied: readonly DeniedPath[]) => void;
}

/**
 * The caller-only layer of authorisation, as an Apollo Server plugin: once per
 * operation (and then from a cache keyed on the operation and the caller's
 * policy-relevant attributes), every field whose policy the caller can never
 * meet is removed, so nothing denied is planned or fetched; after execution each
 * removed path gets `null` and a FORBIDDEN error naming the fields denied there
 * (`extensions.coordinates`). Fields whose policy depends on the record pass on
 * to the layer that has the record.
 */
export function operationAuthorizationPlugin<C extends BaseContext>(options: OperationAuthorizationOptions<C>): ApolloServerPlugin<C> {
  const cache = new Map<string, FilteredOperation & { hash: string; weight: number }>();
  const limit = options.cacheSize ?? 2000;
  const budget = options.cacheSelections ?? 200_000;
  let weight = 0;
  const keep = (key: string, entry: FilteredOperation & { hash: string; weight: number }) => {
    if (entry.weight > budget) return;
    // Oldest first, until both the count and the size fit.
    for (const [oldest, old] of cache) {
      if (cache.size < limit && weight + entry.weight <= budget) break;
      cache.delete(oldest);
      weight -= old.weight;
    }
    cache.set(key, entry);
    weight += entry.weight;
  };
  const decides = options.decides ?? (() => true);
  const decide =
    (authority: Authority) =>
    (coordinate: string): Denial | null => {
      if (options.alwaysAllowed?.has(coordinate)) return null;
      // Only the policies decided here count; a field none of whose groups has one is denied here (fail closed).
      const groups = options.policyMap
        .get(coordinate)
        ?.map((group) => group.filter(decides))
        .filter((group) => group.length > 0);
      const decision = decideFieldForCaller(options.policies, groups, authority);
      return decision.outcome === 'deny' ? { policy: decision.policy, reason: decision.reason } : null;
    };
  const filtered = new WeakMap<object, FilteredOperation>();

  return {
    async requestDidStart() {
      if (options.mode === 'off') return {};
      return {
        async didResolveOperation(rc: GraphQLRequestContext<C>) {
          const authority = options.authorityOf(rc.contextValue);
          if (!authority) {
            // No authority (only `_service` may get here): anything but the always-allowed fields is refused.
            const unauthorised = filterOperation(rc.schema, rc.document!, rc.operationName, (coordinate) =>
              options.alwaysAllowed?.has(coordinate) ? null : { policy: '(none)', reason: 'no authority for this request' },
            );
            if (unauthorised.denied.length > 0) throw unauthenticated('This request carries no authority, so nothing may be read');
            return;
          }
          const key = `${rc.queryHash}|${rc.operationName ?? ''}|${callerAttributesKey(authority)}`;
          let result = cache.get(key);
          if (!result) {
            const f = filterOperation(rc.schema, rc.document!, rc.operationName, decide(authority));
            const hash = createHash('sha256')
              .update(`${rc.queryHash}|${JSON.stringify(f.denied.map((d) => d.path))}`)
              .digest('hex');
            // The client's own document is held by Apollo Server already; only a rebuilt one adds to what is kept.
            result = { ...f, hash, weight: 1 + f.denied.length + (f.document === rc.document ? 0 : selectionsIn(f.document)) };
            keep(key, result);
          }
          filtered.set(rc.request, result);
          options.onFiltered?.(rc.contextValue, result.denied);
          if (options.mode === 'enforce' && result.document !== rc.document) {
            // The planner caches plans by queryHash: a filtered operation gets a hash of its own.
            const mutable = rc as { document?: typeof rc.document; queryHash?: string };
            mutable.document = result.document;
            mutable.queryHash = result.hash;
          }
        },
        async willSendResponse(rc: GraphQLRequestContext<C>) {
          const result = filtered.get(rc.request);
          const body = rc.response.body;
          if (!result || (result.denied.length === 0 && !result.empty) || !body || body.kind !== 'single') return;
          const single = body.singleResult;
          if (options.mode === 'dry-run') {
            const wouldDeny = result.denied.map(({ path, policy, reason, coordinate, coordinates }) => ({
              path,
              policy,
              reason,
              coordinates: coordinates ?? [coordinate],
            }));
            single.extensions = { ...single.extensions, authorization: { mode: 'dry-run', wouldDeny } };
            return;
          }
          const errors = restoreDenied(single.data, result.denied, result.empty, result.typenames);
          if (errors.length > 0) single.errors = [...(single.errors ?? []), ...errors];
        },
      };
    },
  };
}
