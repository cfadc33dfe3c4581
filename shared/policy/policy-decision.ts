import type { Authority, Purpose } from '../common';
import type { PolicyFile, Rule } from './policy-file';

export type Policies = PolicyFile['policies'];

/** What the caller alone settles: allowed, denied (with why), or it depends on the record. */
export type CallerDecision = { outcome: 'allow'; rule: number } | { outcome: 'deny'; reason: string } | { outcome: 'depends'; rules: Rule[] };

/** Rule conditions that need the record in hand: relationship, consent, restriction. */
export function needsRecord(rule: Rule): boolean {
  return rule.relationship !== undefined || rule.consent !== undefined || rule.unlessRestricted === true;
}

function callerMatches(rule: Rule, authority: Authority): boolean {
  const { caller, purpose } = authority;
  return (
    rule.roles.some((role) => caller.roles.includes(role)) &&
    rule.purposes.includes(purpose) &&
    (!rule.orgTypes || rule.orgTypes.includes(caller.orgType)) &&
    (!rule.breakGlass || authority.breakGlass !== undefined)
  );
}

/**
 * Decides a policy on what the caller alone says (role, organisation type,
 * purpose, break-glass). A policy that is not defined denies: default deny.
 */
export function decideForCaller(policies: Policies, name: string, authority: Authority): CallerDecision {
  const policy = policies[name];
  if (!policy) return { outcome: 'deny', reason: `no policy "${name}" is defined, so nobody may read this field` };
  const matching = policy.allow.filter((rule) => callerMatches(rule, authority));
  const settled = policy.allow.findIndex((rule) => callerMatches(rule, authority) && !needsRecord(rule));
  if (settled >= 0) return { outcome: 'allow', rule: settled };
  if (matching.length > 0) return { outcome: 'depends', rules: matching };
  return { outcome: 'deny', reason: denialReason(policy.allow, authority) };
}

function denialReason(rules: Rule[], authority: Authority): string {
  const roles = authority.caller.roles.join(', ');
  const byRole = rules.filter((r) => r.roles.some((role) => authority.caller.roles.includes(role)));
  if (byRole.length === 0) return `the role ${roles} may not read this field`;
  const purposes = new Set<Purpose>(byRole.flatMap((r) => r.purposes));
  if (!purposes.has(authority.purpose)) return `the role ${roles} may read this field only for ${[...purposes].join(' or ')}, not ${authority.purpose}`;
  if (byRole.every((r) => r.breakGlass) && !authority.breakGlass) return 'only under a declared emergency (break-glass)';
  return `no rule allows the role ${roles} from this organisation type for ${authority.purpose}`;
}

/** The attributes of a caller that policy decisions depend on: the key under which decisions are cached. */
export function callerAttributesKey(authority: Authority): string {
  return [[...authority.caller.roles].sort().join('+'), authority.caller.orgType, authority.purpose, authority.breakGlass ? 'bg' : ''].join('|');
}

/** What the record says, as far as policy cares. */
export interface RecordFacts {
  /** Relationships the caller has to this child, as the agency's own records show. */
  relationships: ReadonlySet<string>;
  /** Consent to share this record with the caller's organisation is recorded. */
  consented: boolean;
  /** The child's record is restricted. */
  restricted: boolean;
}

/** Which of the record's facts a decision can turn on, for one caller. */
export interface FactsNeeded {
  relationships: boolean;
  consent: boolean;
  restricted: boolean;
}

/**
 * The record facts that can change the decision on these policy groups for
 * this caller: the record conditions of the rules the caller meets (a rule the
 * caller does not meet is not decided, nor explained, with the record). An
 * agency may leave out what is not needed, such as a relationship it would
 * have to load.
 */
export function factsNeeded(policies: Policies, groups: readonly string[][], authority: Authority): FactsNeeded {
  const rules = groups.flat().flatMap((name) => policies[name]?.allow.filter((rule) => callerMatches(rule, authority)) ?? []);
  return {
    relationships: rules.some((rule) => rule.relationship !== undefined),
    consent: rules.some((rule) => rule.consent !== undefined),
    restricted: rules.some((rule) => rule.unlessRestricted === true),
  };
}

function recordMatches(rule: Rule, authority: Authority, facts: RecordFacts): boolean {
  if (rule.relationship && !facts.relationships.has(rule.relationship)) return false;
  if (rule.unlessRestricted && facts.restricted) return false;
  if (rule.consent === 'required' && !facts.consented) return false;
  if (rule.consent === 'unless-safeguarding' && !facts.consented && authority.purpose !== 'safeguarding') return false;
  return true;
}

/** Decides a policy with the record in hand: some rule must match the caller and the record. */
export function decideForRecord(
  policies: Policies,
  name: string,
  authority: Authority,
  facts: RecordFacts,
): { allowed: true } | { allowed: false; reason: string } {
  const policy = policies[name];
  if (!policy) return { allowed: false, reason: `no policy "${name}" is defined, so nobody may read this field` };
  const forCaller = policy.allow.filter((rule) => callerMatches(rule, authority));
  if (forCaller.some((rule) => recordMatches(rule, authority, facts))) return { allowed: true };
  if (forCaller.length === 0) return { allowed: false, reason: denialReason(policy.allow, authority) };
  // Say, for each rule the caller could have used, which of its record conditions this record does not meet.
  const missing = forCaller.map((r) =>
    [
      r.relationship && !facts.relationships.has(r.relationship) && `the ${r.relationship} relationship`,
      r.consent && !facts.consented && !(r.consent === 'unless-safeguarding' && authority.purpose === 'safeguarding') && 'recorded consent',
      r.unlessRestricted && facts.restricted && 'an unrestricted record',
    ]
      .filter(Boolean)
      .join(' and '),
  );
  return { allowed: false, reason: `this child's record does not give ${[...new Set(missing)].join(', or ')}` };
}

/** A field's caller-only decision over its @policy groups: any group whose policies all allow. */
export type FieldDecision = { outcome: 'allow' } | { outcome: 'depends' } | { outcome: 'deny'; policy: string; reason: string };

export function decideFieldForCaller(policies: Policies, groups: readonly string[][] | undefined, authority: Authority): FieldDecision {
  if (!groups || groups.length === 0) return { outcome: 'deny', policy: '(none)', reason: 'no policy covers this field, so nobody may read it' };
  let depends = false;
  let firstDenial: { policy: string; reason: string } | undefined;
  for (const group of groups) {
    const decisions = group.map((name) => ({ name, decision: decideForCaller(policies, name, authority) }));
    const denial = decisions.find((d) => d.decision.outcome === 'deny');
    if (!denial) {
      if (decisions.every((d) => d.decision.outcome === 'allow')) return { outcome: 'allow' };
      depends = true;
    } else firstDenial ??= { policy: denial.name, reason: (denial.decision as { reason: string }).reason };
  }
  if (depends) return { outcome: 'depends' };
  return { outcome: 'deny', ...(firstDenial ?? { policy: '(none)', reason: 'denied' }) };
}

/**
 * Decides a field's @policy groups with the record in hand: allowed when every
 * policy of some group allows; otherwise the first denial. Only `groups` given
 * are decided (an agency passes its own policies).
 */
export function decideGroupsForRecord(
  policies: Policies,
  groups: readonly string[][],
  authority: Authority,
  facts: RecordFacts,
): { allowed: true; group: readonly string[] } | { allowed: false; policy: string; reason: string } {
  let denial: { policy: string; reason: string } | undefined;
  for (const group of groups) {
    const failed = group.map((name) => ({ name, d: decideForRecord(policies, name, authority, facts) })).find((x) => !x.d.allowed);
    if (!failed) return { allowed: true, group };
    denial ??= { policy: failed.name, reason: (failed.d as { reason: string }).reason };
  }
  return { allowed: false, ...(denial ?? { policy: '(none)', reason: 'no policy of this agency covers this field' }) };
}

/**
 * `decideGroupsForRecord` for one caller, prepared once: the rules the caller
 * meets are picked out of each policy ahead, so that each record is decided on
 * its record conditions alone. A denial is explained by `decideGroupsForRecord`
 * itself, so the two give the same answer, reason included.
 */
export function compileGroupsForRecord(
  policies: Policies,
  groups: readonly string[][],
  authority: Authority,
): (facts: RecordFacts) => ReturnType<typeof decideGroupsForRecord> {
  // Per group, per policy: the rules this caller meets (an undefined policy has none, and denies).
  const compiled = groups.map((group) => ({ group, rules: group.map((name) => policies[name]?.allow.filter((rule) => callerMatches(rule, authority)) ?? []) }));
  return (facts) => {
    for (const { group, rules } of compiled) {
      if (rules.every((forPolicy) => forPolicy.some((rule) => recordMatches(rule, authority, facts)))) return { allowed: true, group };
    }
    return decideGroupsForRecord(policies, groups, authority, facts);
  };
}
