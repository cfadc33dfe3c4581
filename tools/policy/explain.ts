import { Kind, type TypeNode } from 'graphql';
import { join } from 'node:path';
import { readAgencySdl } from '../../shared';
import { demoPersona, demoPersonas } from '../../shared';
import { loadAgencies } from '../../registry';
import { composeSupergraph } from '../../gateway';
import {
  decideFieldForCaller,
  decideGroupsForRecord,
  loadPolicies,
  loadSubgraphConfig,
  openOwnerDatabase,
  readPolicyMap,
  validateNhsNumberArg,
  type Authority,
  type Database,
  type Purpose,
} from '../../shared';

const agencies = loadAgencies();

const repo = join(__dirname, '..', '..');

export interface Explanation {
  path: string;
  steps: { field: string; policies: string; decision: string }[];
  allowed: boolean;
}

/**
 * Explains one field for one persona, purpose and child, step by step along
 * the path: each field's policies, the caller-only decision the gateway makes,
 * and — where the policy depends on the record — the decision the owning
 * agency makes with its record (read from that agency's database).
 */
export async function explain(options: { persona: string; purpose: string; child: string; path: string; breakGlass?: string }): Promise<Explanation> {
  if (!(options.persona in demoPersonas())) throw new Error(`--persona must be one of ${Object.keys(demoPersonas()).join(', ')}; got "${options.persona}"`);
  const nhsNumber = validateNhsNumberArg(options.child, '--child');
  const authority: Authority = {
    caller: demoPersona(options.persona),
    purpose: options.purpose as Purpose,
    ...(options.breakGlass ? { breakGlass: options.breakGlass } : {}),
    traceId: 'explain',
  };
  const segments = options.path.split('.');
  if (segments[0] !== 'Child' || segments.length < 2)
    throw new Error(`the field must be a path from Child, such as Child.health.conditions; got "${options.path}"`);
  const policies = loadPolicies(agencies.map(({ definition }) => join(repo, 'subgraphs', definition.name, 'policy.yaml')));
  const supergraph = composeSupergraph(
    agencies.map(({ definition }) => ({
      name: definition.name,
      url: 'http://localhost/graphql',
      sdl: readAgencySdl(join(repo, 'subgraphs', definition.name), definition.name),
    })),
  );
  const policyMap = readPolicyMap(supergraph);
  const steps: Explanation['steps'] = [];
  let typeName = 'Child';
  const parents: { type: string; field: string }[] = [];
  for (const field of segments.slice(1)) {
    const coordinate = `${typeName}.${field}`;
    const groups = policyMap.get(coordinate);
    const decision = decideFieldForCaller(policies, groups, authority);
    steps.push({ field: coordinate, policies: groups?.map((g) => g.join(' & ')).join(' | ') ?? '(none)', decision: describe(decision) });
    if (decision.outcome === 'deny') return { path: options.path, steps, allowed: false };
    if (decision.outcome === 'depends') {
      const record = await recordDecision(coordinate, groups!, authority, nhsNumber, policies, parents);
      steps.push({ field: coordinate, policies: 'with the record', decision: record });
      if (!record.startsWith('allowed')) return { path: options.path, steps, allowed: false };
    }
    parents.push({ type: typeName, field });
    typeName = nextType(typeName, field);
  }
  return { path: options.path, steps, allowed: true };
}

function describe(decision: ReturnType<typeof decideFieldForCaller>): string {
  if (decision.outcome === 'allow') return 'allowed on the caller alone (role, purpose, organisation type, break-glass)';
  if (decision.outcome === 'depends') return "allowed for the caller only if the agency's record allows it";
  return `denied by ${decision.policy}: ${decision.reason}`;
}

/** The type a field returns, from whichever agency's SDL defines it. */
function nextType(typeName: string, field: string): string {
  for (const { definition } of agencies) {
    for (const d of definition.typeDefs.definitions) {
      if ((d.kind !== Kind.OBJECT_TYPE_DEFINITION && d.kind !== Kind.OBJECT_TYPE_EXTENSION) || d.name.value !== typeName) continue;
      const f = d.fields?.find((x) => x.name.value === field);
      if (f) {
        let type: TypeNode = f.type;
        while (type.kind !== Kind.NAMED_TYPE) type = type.type;
        return type.name.value;
      }
    }
  }
  throw new Error(`${typeName} has no field ${field}`);
}

/** Loads the parent record through the owning agency's own resolvers and decides with its facts. */
async function recordDecision(
  coordinate: string,
  groups: string[][],
  authority: Authority,
  nhsNumber: string,
  policies: ReturnType<typeof loadPolicies>,
  parents: { type: string; field: string }[],
): Promise<string> {
  const owner = groups.flat()[0]!.split(':')[0]!;
  const agency = agencies.find((a) => a.definition.name === owner)!.definition;
  const [typeName] = coordinate.split('.') as [string];
  const factsOf = agency.recordFacts[typeName];
  if (!factsOf) return `denied: ${owner} has no facts for ${typeName}, so the record cannot be checked`;
  // One embedded database is opened at a time: the child's demographics first, then the owning agency's record.
  const demographics = await withDatabase('identity', async (identityDb) => {
    const identity = agencies.find((a) => a.definition.name === 'identity')!.definition;
    return (identity.createLoaders(identityDb, undefined) as { child: { load(n: string): Promise<unknown> } }).child.load(nhsNumber);
  });
  if (!demographics) return `denied: no child ${nhsNumber} is known`;
  return withDatabase(owner, async (db) => {
    const context = { loaders: agency.createLoaders(db, agency.readSettings?.(process.env)), db, authority };
    const resolvers = agency.resolvers as Record<string, Record<string, unknown>>;
    const reference = { ...demographics, nhsNumber };
    const resolveReference = resolvers.Child?.__resolveReference as ((r: unknown, c: unknown) => unknown) | undefined;
    let parent: unknown = resolveReference ? await resolveReference(reference, context) : reference;
    for (const step of parents) {
      const resolve = resolvers[step.type]?.[step.field] as ((p: unknown, a: unknown, c: unknown) => unknown) | undefined;
      parent = resolve ? await resolve(parent, {}, context) : (parent as Record<string, unknown> | null)?.[step.field];
      if (parent === null || parent === undefined) return `not applicable: ${owner} holds no ${step.field} record for this child`;
    }
    const facts = await factsOf(parent, authority, context);
    const own = groups.map((g) => g.filter((name) => name.startsWith(`${owner}:`))).filter((g) => g.length > 0);
    const decision = decideGroupsForRecord(policies, own, authority, facts);
    if (!decision.allowed) return `denied by ${decision.policy} with ${owner}'s record: ${decision.reason}`;
    return `allowed by ${decision.group.join(' & ')} with ${owner}'s record (relationships: ${[...facts.relationships].join(', ') || 'none'}; consent ${facts.consented ? 'recorded' : 'not recorded'}; ${facts.restricted ? 'restricted' : 'not restricted'})`;
  });
}

async function withDatabase<T>(agencyName: string, work: (db: Database) => Promise<T>): Promise<T> {
  const agency = agencies.find((a) => a.definition.name === agencyName)!.definition;
  const config = loadSubgraphConfig(agency.name, agency.defaultPort);
  const database = await openOwnerDatabase(config);
  try {
    return await work(await database.asRole(agency.serviceRole));
  } finally {
    await database.close();
  }
}
