import {
  defaultFieldResolver,
  GraphQLError,
  isObjectType,
  responsePathAsArray,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import { applyMiddlewareToDeclaredResolvers } from 'graphql-middleware';
import { deny, rule, shield } from 'graphql-shield';
import { ErrorCode, type Authority } from '../common';
import {
  callerAttributesKey,
  compileGroupsForRecord,
  decideFieldForCaller,
  factsNeeded,
  needsRecord,
  type FactsNeeded,
  type Policies,
  type RecordFacts,
} from './policy-decision';
import type { PolicyMap } from './policy-map';

/**
 * For a type whose fields' policies depend on the record: what this record
 * says, for this caller. `needed` says which facts the decision at hand can
 * turn on (all, when not given): a fact it cannot turn on may be left at its
 * default (no relationship, no consent, not restricted), for example so as not
 * to load what only a relationship needs.
 */
// `any`: each agency types its own records and context.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RecordFactsOf = (parent: any, authority: Authority, context: any, needed?: FactsNeeded) => RecordFacts | Promise<RecordFacts>;

export function forbidden(coordinate: string, policy: string, reason: string, info?: GraphQLResolveInfo): GraphQLError {
  // A denial is a decision, not a fault: it carries no stack trace, which would cost more to capture than the
  // decision itself. Located at the field (nodes and path) here, so that graphql-js need not copy it.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new GraphQLError(`Not authorised to read ${coordinate}: ${reason}`, {
      ...(info ? { nodes: info.fieldNodes, path: responsePathAsArray(info.path) } : {}),
      extensions: { code: ErrorCode.FORBIDDEN, policy, reason },
    });
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** The coordinates whose policy has a rule that needs the record: these, and only these, get a record rule. */
export function recordLevelCoordinates(policyMap: PolicyMap, policies: Policies): string[] {
  return [...policyMap.entries()]
    .filter(([, groups]) => groups.some((group) => group.some((name) => policies[name]?.allow.some(needsRecord))))
    .map(([coordinate]) => coordinate);
}

/**
 * The record layer of authorisation: graphql-shield rules on exactly the
 * fields whose policy depends on the record (relationship, consent,
 * restriction), evaluated with the record in hand; a failed rule, or a
 * record that cannot be checked, gives FORBIDDEN. Only those fields are
 * wrapped: the operation layer has already decided every other field on the
 * caller. A record-level field also resolves without its rule for a caller
 * whose role, organisation type, purpose and break-glass alone already meet a
 * rule with no record condition: for that caller it does not depend on the record.
 *
 * graphql-shield's middleware is always asynchronous, and a promise per field
 * per record is most of what the record layer costs on a caseload (every
 * child's record then completes later, in graphql-js's slower path). So the
 * field first asks the same rule, with the same per-request cache: when the
 * record's facts are already in hand (the restriction flag in the entity's
 * representation) and the rule allows, the field resolves at once; a denial,
 * a record that cannot be checked, and a decision that waits for facts to be
 * loaded (a relationship, consent) go through graphql-shield.
 */
export function applyRecordRules(
  schema: GraphQLSchema,
  options: { agency: string; policyMap: PolicyMap; policies: Policies; recordFacts: Record<string, RecordFactsOf> },
): GraphQLSchema {
  const own = (name: string) => name.startsWith(`${options.agency}:`);
  // Only this agency's policies are decided here; a group of other agencies' policies alone grants nothing here.
  // Only an object type's fields resolve: a field selected on an interface runs its implementation's resolver,
  // which has its own rule (and the interface's policy, policy-map.ts).
  const resolved = (coordinate: string) => isObjectType(schema.getType(coordinate.split('.')[0]!));
  const ownGroups = new Map(
    recordLevelCoordinates(options.policyMap, options.policies)
      .filter(resolved)
      .map((coordinate) => [
        coordinate,
        options.policyMap
          .get(coordinate)!
          .map((group) => group.filter(own))
          .filter((group) => group.length > 0),
      ]),
  );
  const rules: Record<string, Record<string, unknown>> = {};
  // Per request: each record's facts are worked out once, and each policy group decided once per record,
  // however many of its fields are asked for.
  // A decision is a value when the record's facts are at hand, and a promise only when they must be loaded.
  type Decision = true | { policy: string; reason: string };
  const decisions = new WeakMap<object, WeakMap<object, Map<string, Decision | Promise<Decision>>>>();
  // For each caller's attributes, once: the record-level fields that the caller alone (role, organisation
  // type, purpose, break-glass) already satisfies through a rule with no record condition. For that
  // caller the field does not depend on the record, and resolves without its record rule.
  const settledByCaller = new Map<string, Set<string>>();
  const settledByRequest = new WeakMap<Authority, Set<string>>();
  const settledFor = (authority: Authority): Set<string> => {
    let settled = settledByRequest.get(authority);
    if (settled) return settled;
    const key = callerAttributesKey(authority);
    settled = settledByCaller.get(key);
    if (!settled) {
      settled = new Set([...ownGroups].filter(([, groups]) => decideFieldForCaller(options.policies, groups, authority).outcome === 'allow').map(([c]) => c));
      settledByCaller.set(key, settled);
    }
    settledByRequest.set(authority, settled);
    return settled;
  };
  const decisionOf = new Map<string, ((parent: object, authority: Authority, ctx: object) => Decision | Promise<Decision>) | null>();
  const asDecision = (d: ReturnType<ReturnType<typeof compileGroupsForRecord>>): Decision => (d.allowed ? true : d);
  for (const [coordinate, groups] of ownGroups) {
    const [type, field] = coordinate.split('.') as [string, string];
    const groupsKey = JSON.stringify(groups);
    const factsOf = options.recordFacts[type];
    // Per caller's attributes, worked out once and looked up once per request: which facts can change this
    // field's decision, and the decision itself, prepared for that caller so that a record costs only its
    // own conditions.
    type ForCaller = { needed: FactsNeeded; decide: (facts: RecordFacts) => ReturnType<ReturnType<typeof compileGroupsForRecord>> };
    const byCaller = new Map<string, ForCaller>();
    const byRequest = new WeakMap<Authority, ForCaller>();
    const forCaller = (authority: Authority): ForCaller => {
      let prepared = byRequest.get(authority);
      if (prepared) return prepared;
      const key = callerAttributesKey(authority);
      prepared = byCaller.get(key);
      if (!prepared) {
        prepared = { needed: factsNeeded(options.policies, groups, authority), decide: compileGroupsForRecord(options.policies, groups, authority) };
        byCaller.set(key, prepared);
      }
      byRequest.set(authority, prepared);
      return prepared;
    };
    const decide = (parent: object, authority: Authority, ctx: object): Decision | Promise<Decision> => {
      const prepared = forCaller(authority);
      const facts = factsOf!(parent, authority, ctx, prepared.needed);
      return facts instanceof Promise ? facts.then((f) => asDecision(prepared.decide(f))) : asDecision(prepared.decide(facts));
    };
    const answer = (d: Decision, info: GraphQLResolveInfo) => (d === true ? true : forbidden(coordinate, d.policy, d.reason, info));
    const decisionFor = (parent: object, authority: Authority, ctx: object): Decision | Promise<Decision> => {
      let byParent = decisions.get(ctx);
      if (!byParent) decisions.set(ctx, (byParent = new WeakMap()));
      let byGroups = byParent.get(parent);
      if (!byGroups) byParent.set(parent, (byGroups = new Map<string, Decision | Promise<Decision>>()));
      let decision = byGroups.get(groupsKey);
      if (decision === undefined) {
        decision = decide(parent, authority, ctx);
        byGroups.set(groupsKey, decision);
      }
      return decision;
    };
    decisionOf.set(coordinate, factsOf ? decisionFor : null);
    (rules[type] ??= {})[field] = rule(coordinate, { cache: 'no_cache' })(
      (parent: object, _args: unknown, ctx: { authority: Authority | null }, info: GraphQLResolveInfo) => {
        const authority = ctx.authority;
        if (!authority || !factsOf || typeof parent !== 'object' || parent === null) {
          return forbidden(coordinate, groups.flat()[0] ?? '(none)', 'the record cannot be checked, so nothing is disclosed', info);
        }
        const decision = decisionFor(parent, authority, ctx);
        return decision instanceof Promise ? decision.then((d) => answer(d, info)) : answer(decision, info);
      },
    );
  }
  const permissions = shield(rules as never, {
    fallbackRule: deny,
    fallbackError: (thrown) => (thrown instanceof GraphQLError ? thrown : forbidden('this field', '(none)', 'denied by default')),
    allowExternalErrors: true,
  });
  // graphql-shield generates middleware for every field of the schema; only the record-level fields are
  // wrapped, so no other field pays for it (the operation layer has already decided those on the caller).
  const generated = permissions.generate(schema) as Record<string, Record<string, unknown>>;
  const recordLevel = Object.fromEntries(
    Object.entries(rules).map(([type, fields]) => [type, Object.fromEntries(Object.keys(fields).map((f) => [f, generated[type]![f]]))]),
  );
  const shielded = applyMiddlewareToDeclaredResolvers(schema, recordLevel as never);
  for (const coordinate of ownGroups.keys()) {
    const [type, name] = coordinate.split('.') as [string, string];
    const field = (shielded.getType(type) as GraphQLObjectType).getFields()[name]!;
    const checked = field.resolve!;
    const plain = (schema.getType(type) as GraphQLObjectType).getFields()[name]!.resolve ?? defaultFieldResolver;
    const decisionFor = decisionOf.get(coordinate);
    field.resolve = (parent: unknown, args, ctx: { authority: Authority | null }, info) => {
      const authority = ctx.authority;
      if (!authority) return checked(parent, args, ctx, info);
      if (settledFor(authority).has(coordinate)) return plain(parent, args, ctx, info);
      if (decisionFor && typeof parent === 'object' && parent !== null && decisionFor(parent, authority, ctx) === true) return plain(parent, args, ctx, info);
      return checked(parent, args, ctx, info);
    };
  }
  return shielded;
}

/**
 * Declares plain property resolvers for record fields, so that their record
 * rules run (graphql-middleware wraps only declared resolvers).
 */
export function declareFields<R extends object>(...names: (keyof R & string)[]): Record<string, (record: R) => unknown> {
  return Object.fromEntries(names.map((name) => [name, (record: R) => record[name]]));
}
