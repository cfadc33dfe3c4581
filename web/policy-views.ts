import { join } from 'node:path';
import { buildSchema, getNamedType, isObjectType, type GraphQLSchema } from 'graphql';
import { apiSchemaSdl, composeSupergraph, DEFAULT_POLICY_FILES } from '../gateway';
import { ORG_TYPE_OF_ROLE, REGISTRY } from '../registry';
import {
  decideFieldForCaller,
  decideForCaller,
  loadPolicies,
  PURPOSES,
  readAgencySdl,
  readPolicyMap,
  ROLES,
  type Authority,
  type OrgType,
  type Policies,
  type PolicyMap,
  type Purpose,
  type Role,
  type Rule,
} from '../shared';

/** The organisation type each role works in, for a decision about the role alone. */
export const ORG_TYPE_OF: Record<Role, OrgType> = ORG_TYPE_OF_ROLE;

export type MatrixPurpose = Purpose | 'emergency-care+break-glass';
export const MATRIX_PURPOSES: readonly MatrixPurpose[] = [...PURPOSES, 'emergency-care+break-glass'];

export interface PolicyViews {
  /** For one role: each field with a policy, and for each purpose allowed, depends (on the record) or denied. */
  matrix(role: Role): { field: string; policies: string; decisions: Record<MatrixPurpose, 'allowed' | 'depends' | 'denied'> }[];
  /** Each step along a path from Child, as the gateway decides it for a role and purpose, naming the rule. */
  explain(
    role: Role,
    purpose: MatrixPurpose,
    path: string,
  ): { steps: { field: string; policies: string; decision: string }[]; outcome: 'allowed' | 'depends' | 'denied' };
}

const authorityFor = (role: Role, purpose: MatrixPurpose): Authority => ({
  caller: { sub: role, name: role, org: 'any', orgType: ORG_TYPE_OF[role], roles: [role] },
  purpose: purpose === 'emergency-care+break-glass' ? 'emergency-care' : purpose,
  ...(purpose === 'emergency-care+break-glass' ? { breakGlass: 'declared emergency' } : {}),
  traceId: 'policy-views',
});

const needs = (rule: Rule) =>
  [rule.relationship && `relationship ${rule.relationship}`, rule.consent && `consent ${rule.consent}`, rule.unlessRestricted && 'record not restricted']
    .filter(Boolean)
    .join(', ');

/**
 * Who may see what, read live from each agency's policy.yaml and the composed schema: the same files and the
 * same decision the gateway makes before planning. Decisions that depend on the record (relationship, consent,
 * restriction) are the agency's to make with the record in hand, and are shown as such.
 */
export function createPolicyViews(repo = join(__dirname, '..')): PolicyViews {
  let loaded: { policies: Policies; policyMap: PolicyMap; schema: GraphQLSchema } | undefined;
  const load = () => {
    if (!loaded) {
      const supergraph = composeSupergraph(
        REGISTRY.map((a) => ({ name: a.name, url: 'http://localhost/graphql', sdl: readAgencySdl(join(repo, 'subgraphs', a.name), a.name) })),
      );
      loaded = { policies: loadPolicies(DEFAULT_POLICY_FILES), policyMap: readPolicyMap(supergraph), schema: buildSchema(apiSchemaSdl(supergraph)) };
    }
    return loaded;
  };
  const describe = (groups: readonly string[][] | undefined) => groups?.map((g) => g.join(' & ')).join(' | ') ?? '(none)';
  return {
    matrix(role) {
      const { policies, policyMap } = load();
      return [...policyMap].map(([field, groups]) => {
        const decisions = Object.fromEntries(
          MATRIX_PURPOSES.map((purpose) => {
            const d = decideFieldForCaller(policies, groups, authorityFor(role, purpose));
            return [purpose, d.outcome === 'allow' ? 'allowed' : d.outcome === 'depends' ? 'depends' : 'denied'];
          }),
        ) as Record<MatrixPurpose, 'allowed' | 'depends' | 'denied'>;
        return { field, policies: describe(groups), decisions };
      });
    },
    explain(role, purpose, path) {
      const { policies, policyMap, schema } = load();
      const authority = authorityFor(role, purpose);
      const segments = path.split('.');
      if (segments[0] !== 'Child' || segments.length < 2) throw new TypeError(`Enter a path from Child, such as Child.health.conditions; got "${path}"`);
      const steps: { field: string; policies: string; decision: string }[] = [];
      let type = schema.getType('Child');
      let outcome: 'allowed' | 'depends' | 'denied' = 'allowed';
      for (const name of segments.slice(1)) {
        const field = isObjectType(type) ? type.getFields()[name] : undefined;
        if (!field || !type) throw new TypeError(`${type?.name ?? path} has no field "${name}"`);
        const coordinate = `${type.name}.${name}`;
        const groups = policyMap.get(coordinate);
        const parts = (groups ?? [['(none)']]).flat().map((policy) => {
          const d = decideForCaller(policies, policy, authority);
          if (d.outcome === 'allow') return `${policy}: allowed by rule ${d.rule + 1}`;
          if (d.outcome === 'depends') return `${policy}: allowed only if the record allows (${d.rules.map(needs).join('; or ')})`;
          return `${policy}: denied, ${d.reason}`;
        });
        const decision = decideFieldForCaller(policies, groups, authority);
        steps.push({ field: coordinate, policies: describe(groups), decision: parts.join('. ') });
        if (decision.outcome === 'deny') return { steps, outcome: 'denied' };
        if (decision.outcome === 'depends') outcome = 'depends';
        type = getNamedType(field.type);
      }
      return { steps, outcome };
    },
  };
}

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);
export const isMatrixPurpose = (value: string): value is MatrixPurpose => (MATRIX_PURPOSES as readonly string[]).includes(value);
