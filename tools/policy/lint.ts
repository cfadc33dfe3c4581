import { join } from 'node:path';
import { readAgencySdl } from '../../shared';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { getNamedType, isObjectType, Kind, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { loadAgencies } from '../../registry';
import { composeSupergraph } from '../../gateway';
import { accessLogPolicies, loadPolicyFile, PolicyFileError, readPolicyMap, recordLevelCoordinates, type Policies } from '../../shared';

const agencies = loadAgencies();

export interface Finding {
  where: string;
  problem: string;
}

const repo = join(__dirname, '..', '..');
const federationTypes = /^(_Service|_Entity|_Any|link__|join__|policy__|federation__)/;

/**
 * Everything a security officer must be able to rely on: every field covered
 * by a defined policy, every policy used, roles, purposes and relationships
 * known, no protected field non-null, every interface field's policy that of
 * each implementation's, and every field whose policy depends on the record
 * given a resolver and facts so that the record rule runs.
 */
export function lintPolicies(): Finding[] {
  const findings: Finding[] = [];
  const policies: Policies = {};
  const owner = new Map<string, string>();
  for (const { definition } of agencies) {
    const file = join(repo, 'subgraphs', definition.name, 'policy.yaml');
    try {
      for (const [name, policy] of Object.entries(loadPolicyFile(file).policies)) {
        if (!name.startsWith(`${definition.name}:`))
          findings.push({ where: file, problem: `policy "${name}" is not named for this agency (${definition.name}:…)` });
        policies[name] = policy;
        owner.set(name, definition.name);
      }
      // The access log's policies come with the subgraph kit, beside the agency's own.
      for (const [name, policy] of Object.entries(accessLogPolicies(definition.name))) {
        policies[name] = policy;
        owner.set(name, definition.name);
      }
    } catch (error) {
      if (!(error instanceof PolicyFileError)) throw error;
      for (const line of error.message.split('\n')) findings.push({ where: line.split(': ')[0]!, problem: line.split(': ').slice(1).join(': ') });
    }
  }
  const sources = agencies.map(({ definition }) => ({
    name: definition.name,
    url: 'http://localhost/graphql',
    sdl: readAgencySdl(join(repo, 'subgraphs', definition.name), definition.name),
  }));
  const supergraph = parse(composeSupergraph(sources));
  const policyMap = readPolicyMap(supergraph);
  const used = new Set<string>();
  for (const { coordinate, nonNull, key } of fieldsOf(supergraph)) {
    const groups = policyMap.get(coordinate);
    if (!groups) {
      findings.push({ where: coordinate, problem: 'no @policy: default deny makes this field readable by nobody' });
      continue;
    }
    for (const name of groups.flat()) {
      used.add(name);
      if (!policies[name]) findings.push({ where: coordinate, problem: `@policy names "${name}", which no policy file defines` });
    }
    if (nonNull && !key) findings.push({ where: coordinate, problem: 'protected but non-null: a denied value could not be null; make it nullable' });
  }
  for (const name of Object.keys(policies))
    if (!used.has(name)) findings.push({ where: `${owner.get(name)}/policy.yaml`, problem: `policy "${name}" is defined but no field uses it` });
  findings.push(...interfacePolicyFindings(supergraph, policyMap));
  for (const { definition } of agencies) findings.push(...recordRuleFindings(definition, policies));
  return findings;
}

/**
 * A field selected on an interface is decided on the interface's policy, and the object it returns may be any
 * implementation (policy-map.ts): each implementation's field must ask what the interface's asks, or a caller
 * is given through one what the other withholds, or refused through one what the other allows.
 */
export function interfacePolicyFindings(supergraph: DocumentNode, policyMap = readPolicyMap(supergraph)): Finding[] {
  const findings: Finding[] = [];
  const interfaces = new Map<string, string[]>();
  for (const d of supergraph.definitions)
    if (d.kind === Kind.INTERFACE_TYPE_DEFINITION)
      interfaces.set(
        d.name.value,
        (d.fields ?? []).map((f) => f.name.value),
      );
  for (const d of supergraph.definitions) {
    if (d.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    const own = new Set((d.fields ?? []).map((f) => f.name.value));
    for (const i of d.interfaces ?? []) {
      for (const field of (interfaces.get(i.name.value) ?? []).filter((f) => own.has(f))) {
        const [onInterface, onObject] = [`${i.name.value}.${field}`, `${d.name.value}.${field}`];
        const [asked, asks] = [describePolicy(policyMap.get(onInterface)), describePolicy(policyMap.get(onObject))];
        if (asked !== asks)
          findings.push({ where: onInterface, problem: `its policy (${asked}) differs from its implementation ${onObject}'s (${asks}); they must agree` });
      }
    }
  }
  return findings;
}

/** A field's @policy in one form, so that two that allow the same read the same: `a and b or c`. */
function describePolicy(groups: string[][] | undefined): string {
  if (!groups) return 'no @policy';
  const sorted = groups.map((group) => [...new Set(group)].sort());
  // A group that holds another allows nothing the other does not.
  const kept = sorted.filter(
    (group, i) => !sorted.some((other, j) => j !== i && other.every((p) => group.includes(p)) && (other.length < group.length || j < i)),
  );
  return kept
    .map((group) => group.join(' and '))
    .sort()
    .join(' or ');
}

function fieldsOf(supergraph: DocumentNode): { coordinate: string; nonNull: boolean; key: boolean }[] {
  const out: { coordinate: string; nonNull: boolean; key: boolean }[] = [];
  for (const d of supergraph.definitions) {
    if ((d.kind !== Kind.OBJECT_TYPE_DEFINITION && d.kind !== Kind.INTERFACE_TYPE_DEFINITION) || federationTypes.test(d.name.value)) continue;
    const keys = new Set(
      (d.directives ?? [])
        .filter((x) => x.name.value === 'join__type')
        .flatMap((x) => {
          const v = x.arguments?.find((a) => a.name.value === 'key')?.value;
          return v?.kind === Kind.STRING ? v.value.split(/\s+/) : [];
        }),
    );
    for (const f of d.fields ?? []) {
      if (d.name.value === 'Query' && (f.name.value === '_service' || f.name.value === '_entities')) continue;
      out.push({ coordinate: `${d.name.value}.${f.name.value}`, nonNull: f.type.kind === Kind.NON_NULL_TYPE, key: keys.has(f.name.value) });
    }
  }
  return out;
}

/** A record-level field is wrapped only if it has its own resolver, and checked only if its type has record facts. */
function recordRuleFindings(definition: (typeof agencies)[number]['definition'], policies: Policies): Finding[] {
  const schema: GraphQLSchema = buildSubgraphSchema({ typeDefs: definition.typeDefs, resolvers: definition.resolvers as never });
  const own = readPolicyMap(definition.typeDefs);
  const findings: Finding[] = [];
  for (const coordinate of recordLevelCoordinates(own, policies)) {
    const [typeName, fieldName] = coordinate.split('.') as [string, string];
    const type = schema.getType(typeName);
    if (!type || !isObjectType(type)) continue;
    const field = type.getFields()[fieldName]!;
    // Nested value types are reached only through a guarded parent field.
    if (!definition.recordFacts[typeName] && isGuarded(schema, typeName, definition.recordFacts)) continue;
    if (!field.resolve)
      findings.push({
        where: `${definition.name} ${coordinate}`,
        problem: 'its policy depends on the record but it has no resolver, so no record rule can wrap it',
      });
    if (!definition.recordFacts[typeName])
      findings.push({ where: `${definition.name} ${coordinate}`, problem: `its policy depends on the record but ${typeName} has no recordFacts` });
  }
  return findings;
}

/** A type is guarded when some field returning it is itself checked with the record, directly or further up. */
function isGuarded(schema: GraphQLSchema, typeName: string, recordFacts: Record<string, unknown>, seen = new Set<string>()): boolean {
  if (seen.has(typeName)) return false;
  seen.add(typeName);
  for (const t of Object.values(schema.getTypeMap())) {
    if (!isObjectType(t) || t.name.startsWith('__')) continue;
    for (const f of Object.values(t.getFields())) {
      if (getNamedType(f.type).name !== typeName) continue;
      if (recordFacts[t.name] && f.resolve) return true;
      if (!recordFacts[t.name] && isGuarded(schema, t.name, recordFacts, seen)) return true;
    }
  }
  return false;
}
