import type { GraphQLSchema } from 'graphql';
import { GraphQLError } from 'graphql';
import { applyMiddlewareToDeclaredResolvers } from 'graphql-middleware';
import { allow, deny, rule, shield } from 'graphql-shield';
import type { Authority } from './authority';
import { ErrorCode } from './errors';
import { callerAttributesKey, decideForCaller, decideGroupsForRecord, needsRecord, type Policies, type RecordFacts } from './policy-decision';
import type { PolicyMap } from './policy-map';

/** For a type whose fields' policies depend on the record: what this record says, for this caller. */
// `any`: each agency types its own records and context.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RecordFactsOf = (parent: any, authority: Authority, context: any) => RecordFacts | Promise<RecordFacts>;

export function forbidden(coordinate: string, policy: string, reason: string): GraphQLError {
  return new GraphQLError(`Not authorised to read ${coordinate}: ${reason}`, { extensions: { code: ErrorCode.FORBIDDEN, policy, reason } });
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
 * restriction), evaluated with the record in hand. Every other declared
 * resolver is allowed explicitly (the operation layer has already decided it
 * on the caller); anything unlisted is denied, with FORBIDDEN.
 */
export function applyRecordRules(
  schema: GraphQLSchema,
  options: { agency: string; policyMap: PolicyMap; policies: Policies; recordFacts: Record<string, RecordFactsOf> },
): GraphQLSchema {
  const own = (name: string) => name.startsWith(`${options.agency}:`);
  // Federation's own entry points are allowed explicitly: _service for composition, _entities because
  // each field reached through it carries its own rule.
  const queryFields = schema.getQueryType()?.getFields() ?? {};
  const rules: Record<string, Record<string, unknown>> = { Query: Object.fromEntries(['_service', '_entities'].filter((f) => queryFields[f]).map((f) => [f, allow])) };
  // Per request: each record's facts are worked out once, and each policy group decided once per record,
  // however many of its fields are asked for. Denial errors are made once and reused (graphql-js
  // locates a copy at each path).
  const decisions = new WeakMap<object, WeakMap<object, Map<string, Promise<true | { policy: string; reason: string }>>>>();
  const errors = new Map<string, GraphQLError>();
  const denied = (coordinate: string, policy: string, reason: string) => {
    const key = `${coordinate}|${policy}|${reason}`;
    let error = errors.get(key);
    if (!error) {
      error = forbidden(coordinate, policy, reason);
      if (errors.size < 10_000) errors.set(key, error);
    }
    return error;
  };
  for (const coordinate of recordLevelCoordinates(options.policyMap, options.policies)) {
    const [type, field] = coordinate.split('.') as [string, string];
    // Only this agency's policies are decided here; a group of other agencies' policies alone grants nothing here.
    const groups = options.policyMap.get(coordinate)!.map((group) => group.filter(own)).filter((group) => group.length > 0);
    const groupsKey = JSON.stringify(groups);
    const factsOf = options.recordFacts[type];
    const decide = async (parent: object, authority: Authority, ctx: object): Promise<true | { policy: string; reason: string }> => {
      const decision = decideGroupsForRecord(options.policies, groups, authority, await factsOf!(parent, authority, ctx));
      return decision.allowed ? true : decision;
    };
    // When the caller alone already satisfies a rule with no record condition, there is nothing to check.
    const settledForCaller = new Map<string, boolean>();
    const settled = (authority: Authority) => {
      const key = callerAttributesKey(authority);
      let answer = settledForCaller.get(key);
      if (answer === undefined) {
        answer = groups.some((group) => group.length > 0 && group.every((name) => decideForCaller(options.policies, name, authority).outcome === 'allow'));
        settledForCaller.set(key, answer);
      }
      return answer;
    };
    (rules[type] ??= {})[field] = rule(coordinate, { cache: 'no_cache' })((parent: object, _args: unknown, ctx: { authority: Authority | null }) => {
      const authority = ctx.authority;
      if (!authority || !factsOf || typeof parent !== 'object' || parent === null) {
        return denied(coordinate, groups.flat()[0] ?? '(none)', 'the record cannot be checked, so nothing is disclosed');
      }
      if (settled(authority)) return true;
      let byParent = decisions.get(ctx);
      if (!byParent) decisions.set(ctx, (byParent = new WeakMap()));
      let byGroups = byParent.get(parent);
      if (!byGroups) byParent.set(parent, (byGroups = new Map()));
      let decision = byGroups.get(groupsKey);
      if (!decision) {
        decision = decide(parent, authority, ctx);
        byGroups.set(groupsKey, decision);
      }
      return decision.then((d) => (d === true ? true : denied(coordinate, d.policy, d.reason)));
    });
  }
  // Declared resolvers with no record-level policy: allowed here, explicitly.
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !('getFields' in type) || typeof type.getFields !== 'function') continue;
    for (const field of Object.values(type.getFields())) {
      if ('resolve' in field && field.resolve && !rules[type.name]?.[field.name]) (rules[type.name] ??= {})[field.name] = allow;
    }
  }
  const permissions = shield(rules as never, {
    fallbackRule: deny,
    fallbackError: (thrown) => (thrown instanceof GraphQLError ? thrown : forbidden('this field', '(none)', 'denied by default')),
    allowExternalErrors: true,
  });
  return applyMiddlewareToDeclaredResolvers(schema, permissions);
}

/**
 * Declares plain property resolvers for record fields, so that their record
 * rules run (graphql-middleware wraps only declared resolvers).
 */
export function declareFields<R extends object>(...names: (keyof R & string)[]): Record<string, (record: R) => unknown> {
  return Object.fromEntries(names.map((name) => [name, (record: R) => record[name]]));
}
