import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, type DocumentNode } from 'graphql';
import { agencyEntry } from '../../registry';
import { accessLogPeers, accessLogResolvers, accessLogSdl } from '../audit';
import { accessLogPolicies, loadPolicyFile } from '../policy';
import type { AgencyDefinition } from './create-subgraph';
import {
  BLOCKING_MIGRATIONS,
  DECISION_MIGRATIONS,
  matchingSdl,
  readMatchingDeclaration,
  requiredDemographics,
  type CandidateRow,
  type RecordMatching,
} from './record-matching';

/**
 * The agency's schema as served and composed: its own schema.graphql and the
 * kit's access log, with the timeline when the agency assembles one.
 */
export function readAgencySdl(dir: string, agency: string): string {
  const matching = readMatchingDeclaration(dir);
  return `${readFileSync(join(dir, 'schema.graphql'), 'utf8')}\n${accessLogSdl(agency, accessLogPeers(dir))}${matching ? matchingSdl(agency, matching) : ''}`;
}

/**
 * An agency defined by its folder: its SDL is `dir/schema.graphql` (with the kit's access log), its
 * migrations are `dir/migrations/`, it serves as the role `<name>_service`, and its port is the registry's.
 */
export function defineAgency<L>(
  dir: string,
  parts: Pick<AgencyDefinition<L>, 'name' | 'resolvers' | 'createLoaders' | 'primaryTable' | 'recordFacts'> &
    Partial<Pick<AgencyDefinition<L>, 'defaultPort' | 'readSettings' | 'onDisclosed'>> & {
      /** An agency that holds no NHS number: its record matching (declared in `dir/matching.yaml`, with its SQL). */
      matching?: RecordMatching<CandidateRow>;
      /** An agency that searches on demographics: the kit's blocking-key functions, for its own indexes. */
      blocking?: true;
    },
): AgencyDefinition<L> {
  const { matching, blocking, ...own } = parts;
  const defaultPort = own.defaultPort ?? agencyEntry(own.name)?.port;
  if (defaultPort === undefined) throw new Error(`${own.name} is not in the registry (registry/index.ts): add it there, with its port`);
  const typeDefs = parse(readAgencySdl(dir, own.name));
  checkMatching(dir, own.name, typeDefs, matching);
  // Every agency also answers for its own part of the access log (the subgraph kit's); an agency that matches, for its decisions.
  const resolvers: Record<string, object> = { ...own.resolvers };
  const kits: Record<string, object>[] = [accessLogResolvers(own.name, accessLogPeers(dir)), matching ? { Mutation: matching.mutations } : {}];
  for (const kit of kits) {
    for (const [type, fields] of Object.entries(kit)) resolvers[type] = { ...(resolvers[type] ?? {}), ...fields };
  }
  return {
    ...own,
    defaultPort,
    readSettings: own.readSettings ?? matching?.readSettings,
    resolvers,
    policies: { ...loadPolicyFile(join(dir, 'policy.yaml')).policies, ...accessLogPolicies(own.name) },
    typeDefs,
    migrationsDir: join(dir, 'migrations'),
    kitMigrations: matching ? [BLOCKING_MIGRATIONS, DECISION_MIGRATIONS] : blocking ? [BLOCKING_MIGRATIONS] : [],
    serviceRole: `${own.name}_service`,
  };
}

/**
 * An agency matches when, and only when, it declares it (matching.yaml) and gives the kit its SQL; the field on
 * `Child` that returns its record requires of identity exactly the demographics it declares.
 */
function checkMatching(dir: string, agency: string, typeDefs: DocumentNode, matching: RecordMatching<CandidateRow> | undefined): void {
  const declaration = readMatchingDeclaration(dir);
  if (!declaration !== !matching) {
    throw new Error(
      declaration
        ? `${agency}: matching.yaml declares record matching, but defineAgency was given no \`matching\` (defineRecordMatching)`
        : `${agency}: defineAgency was given \`matching\` without a matching.yaml in ${dir}`,
    );
  }
  if (!declaration) return;
  const expected = requiredDemographics(declaration);
  const child = typeDefs.definitions.find((d) => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === 'Child');
  const requires =
    child?.kind === Kind.OBJECT_TYPE_DEFINITION
      ? child.fields?.flatMap(
          (f) => f.directives?.filter((x) => x.name.value === 'requires').map((x) => ({ field: f.name.value, value: x.arguments?.[0]?.value })) ?? [],
        )
      : [];
  const wrong = (requires ?? []).filter((r) => r.value?.kind !== Kind.STRING || r.value.value.replace(/\s+/g, ' ').trim() !== expected);
  if (!requires?.length || wrong.length > 0) {
    throw new Error(
      `${agency}: the field on Child that returns its record must carry @requires(fields: "${expected}"), the demographics matching.yaml declares${wrong.length > 0 ? ` (Child.${wrong[0]!.field} does not)` : ''}`,
    );
  }
}
