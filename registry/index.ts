import { join } from 'node:path';

/**
 * The agencies of the federation: the one list the gateway, `npm start`, `npm run migrate`, the policy tools,
 * the access log, the reference deployment and the tests read. An agency joins with one entry here and its
 * folder `subgraphs/<name>/` (docs/adding-an-agency.md); nothing else names it.
 *
 * - `name`: the folder, the subgraph's name in the supergraph, and the prefix of its variables (`<NAME>_URL` …).
 * - `title`: the agency as practitioners know it, on screens and in messages.
 * - `port`: where its subgraph listens when `<NAME>_PORT` is unset.
 * - `roles`: the roles its practitioners' tokens carry, each with the kind of organisation it works in
 *   (the `orgType` claim). Policies may name only these roles and organisation types.
 */
export const REGISTRY = [
  { name: 'identity', title: 'Identity', port: 4001, roles: { 'privacy-officer': 'local-authority' } },
  { name: 'health', title: 'Health', port: 4002, roles: { gp: 'gp-practice', 'emergency-clinician': 'hospital' } },
  { name: 'socialcare', title: "Children's social care", port: 4003, roles: { 'social-worker': 'local-authority', 'team-manager': 'local-authority' } },
  { name: 'housing', title: 'Housing', port: 4004, roles: { 'housing-officer': 'housing-provider' } },
  { name: 'education', title: 'Education', port: 4005, roles: { 'school-dsl': 'school' } },
  { name: 'police', title: 'Police', port: 4006, roles: { 'police-officer': 'police-force' } },
] as const satisfies readonly AgencyEntry[];

export interface AgencyEntry {
  name: string;
  title: string;
  port: number;
  roles: Readonly<Record<string, string>>;
}

type Entry = (typeof REGISTRY)[number];
type RolesOf<E> = E extends { roles: infer R } ? keyof R & string : never;
type OrgTypesOf<E> = E extends { roles: infer R } ? R[keyof R] & string : never;

export type AgencyName = Entry['name'];
export type Role = RolesOf<Entry>;
export type OrgType = OrgTypesOf<Entry>;

const unique = <T>(values: T[]) => [...new Set(values)];

/** Every agency's name, in the registry's order. */
export const AGENCY_NAMES = REGISTRY.map((a) => a.name) as [AgencyName, ...AgencyName[]];
/** Every role a token may carry. */
export const ROLES = unique(REGISTRY.flatMap((a) => Object.keys(a.roles))) as [Role, ...Role[]];
/** Every kind of organisation a token may name. */
export const ORG_TYPES = unique(REGISTRY.flatMap((a) => Object.values(a.roles) as string[])) as [OrgType, ...OrgType[]];
/** The kind of organisation each role works in, e.g. for the policy matrix's example caller. */
export const ORG_TYPE_OF_ROLE = Object.fromEntries(REGISTRY.flatMap((a) => Object.entries(a.roles))) as Record<Role, OrgType>;

/** The agency with this name, or undefined. */
export const agencyEntry = (name: string): AgencyEntry | undefined => REGISTRY.find((a) => a.name === name);

/** The agency as people know it ("Children's social care"), or its name when it is not in the registry. */
export const agencyTitle = (name: string): string => agencyEntry(name)?.title ?? name;

/** The agency's folder: its schema, policy, migrations, seed and demo personas. */
export const agencyDir = (name: string): string => join(__dirname, '..', 'subgraphs', name);

/** The environment variables an agency's deployment is configured by, named from the agency's name. */
export function agencyVariables(name: string) {
  const prefix = name.toUpperCase();
  return {
    /** The gateway's address for the subgraph. */
    url: `${prefix}_URL`,
    /** The subgraph's port. */
    port: `${prefix}_PORT`,
    /** The owner's login: migrations and the seed. */
    databaseUrl: `${prefix}_DATABASE_URL`,
    /** The subgraph's own serving login. */
    serviceDatabaseUrl: `${prefix}_SERVICE_DATABASE_URL`,
  };
}

export { loadAgencies, type AgencyPlugin } from './load-agencies';
