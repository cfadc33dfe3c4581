import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLError } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PURPOSES, ROLES, type Authority } from './authority';
import type { AuditEntry } from './audit';
import type { Database } from './database';
import { ErrorCode } from './errors';
import type { Policies } from './policy-decision';

type FieldSpec = readonly [name: string, type: string, description: string];

/** An access entry's fields: [name, type, description]; `denied` is a list of the agency's denial type. */
const ENTRY_FIELDS = [
  ['at', 'String', 'When, as an ISO 8601 time (UTC).'],
  ['agency', 'String', 'The agency that disclosed.'],
  ['traceId', 'String', 'The request, the same in every agency it reached.'],
  ['callerSub', 'String', 'The user id of who saw it.'],
  ['callerName', 'String', 'Their name.'],
  ['callerRoles', '[String!]', 'Their roles.'],
  ['callerOrg', 'String', 'Their organisation (ODS code, local authority code, school URN or landlord id).'],
  ['purpose', 'String', 'The purpose of use they declared.'],
  ['breakGlass', 'String', 'The break-glass justification, when the access was an emergency.'],
  ['nhsNumber', 'ID', "The child's NHS number."],
  ['localReference', 'String', "The agency's own reference for the record, where it has one (housing)."],
  ['disclosed', '[String!]', 'The fields disclosed, as paths below the child.'],
  ['denied', 'DENIAL', 'The fields withheld, with the policy and the reason.'],
  ['lawfulBasis', 'String', 'The lawful basis the disclosure rested on.'],
] as const satisfies readonly FieldSpec[];
type EntryField = (typeof ENTRY_FIELDS)[number][0];
const DENIAL_FIELDS: readonly FieldSpec[] = [
  ['field', 'String', 'The field, as a path below the child.'],
  ['policy', 'String', 'The policy that withheld it.'],
  ['reason', 'String', 'Why.'],
];
/** What the assembler requires of each agency's part: every field of every entry. */
const ENTRY_SELECTION = ENTRY_FIELDS.map(([name]) => (name === 'denied' ? `denied { ${DENIAL_FIELDS.map(([n]) => n).join(' ')} }` : name)).join(' ');

const typeName = (agency: string) => agency.charAt(0).toUpperCase() + agency.slice(1);

/**
 * The federated access log, which the subgraph kit adds to every agency: each
 * agency answers, from its own audit log, for its own disclosures about a child
 * (`ChildAccessLog.<agency>`, privacy officers auditing) and for the caller's
 * own history (`AccessHistory.<agency>`). The agency that owns the entry
 * points (identity) also assembles `entries` on each: every agency's part,
 * which the gateway fetches from each agency and hands to it (`@requires`),
 * merged into one timeline, oldest first. `assembles` names the other agencies.
 */
export function accessLogSdl(agency: string, assembles: readonly string[] = []): string {
  const T = typeName(agency);
  const tag = (policies: string[]) => `@policy(policies: [[${policies.map((p) => `"${p}"`).join(', ')}]])`;
  // Each field of an entry type, with its directive: the agency's policy, or `@external` for another agency's part.
  const fieldsOf = (specs: readonly FieldSpec[], denial: string, directive: string) =>
    specs.map(([name, type, description]) => `  "${description}"\n  ${name}: ${type === 'DENIAL' ? `[${denial}!]` : type} ${directive}`).join('\n');
  const parts = [agency, ...assembles];
  // The two entities differ only in whose log they are (a child's, or the caller's) and in who may read them.
  // `entries` carries the policies of all it is made of, as composition insists: every agency's part and its entries.
  const log = (type: string, about: string, key: [string, string, string], policy: string, list: string, timeline: string) => `
"${about}"
type ${type} @key(fields: "${key[0]} since until") {
${[
  `  "${key[2]}"\n  ${key[0]}: ${key[1]} ${tag([`${agency}:${policy}`])}`,
  `  "The start of the period, as an ISO 8601 date or time; empty for the beginning of the log."\n  since: String ${tag([`${agency}:${policy}`])}`,
  `  "The end of the period (exclusive), as an ISO 8601 date or time; empty for now."\n  until: String ${tag([`${agency}:${policy}`])}`,
  `  "${list}"\n  ${agency}: [${T}AccessEntry!] ${tag([`${agency}:${policy}`])}`,
  ...assembles.map((peer) => `  "${typeName(peer)}'s part, which it answers for itself."\n  ${peer}: [${typeName(peer)}AccessEntry!] @external`),
  ...(assembles.length > 0 ? [
    `  "${timeline}"\n  entries: [AccessLogEntry!] @requires(fields: "${assembles.map((peer) => `${peer} { ${ENTRY_SELECTION} }`).join(' ')}") ${tag([...parts.map((a) => `${a}:${policy}`), ...assembles.map((a) => `${a}:access-entry`)])}`,
  ] : []),
].join('\n')}
}
`;
  const entryType = (name: string, denial: string, about: [string, string], policies: string[], external: boolean) => `
"${about[0]}"
type ${name} {
${fieldsOf(ENTRY_FIELDS, denial, external ? '@external' : tag(policies))}
}

"${about[1]}"
type ${denial} {
${fieldsOf(DENIAL_FIELDS, denial, external ? '@external' : tag(policies))}
}
`;
  return `${log('ChildAccessLog', "A child's access log for a period: each agency answers for its own disclosures about the child.",
    ['nhsNumber', 'ID', "The child's NHS number."], 'access-log', `${T}'s own record of what it disclosed about the child in the period, oldest first.`,
    "Every agency's disclosures about the child in the period, in one timeline, oldest first.")}${
  log('AccessHistory', "The caller's own access history for a period: each agency answers for what it disclosed to them.",
    ['sub', 'ID', "The caller's user id."], 'own-history', `What ${T} disclosed to the caller in the period, oldest first.`,
    "What every agency disclosed to the caller in the period, in one timeline, oldest first.")}${
  entryType(`${T}AccessEntry`, `${T}AccessDenial`, [`One disclosure ${T} made: who saw what of a child's data, when and why.`, `A field ${T} withheld.`], [`${agency}:access-entry`], false)}${
  assembles.map((peer) => entryType(`${typeName(peer)}AccessEntry`, `${typeName(peer)}AccessDenial`, [`One disclosure ${typeName(peer)} made, as ${typeName(peer)} answers for it.`, `A field ${typeName(peer)} withheld.`], [], true)).join('')}${
  assembles.length > 0 ? entryType('AccessLogEntry', 'AccessLogDenial', ["One disclosure in an access log's timeline: who saw what of a child's data, when and why, from which agency.", 'A field an agency withheld.'], parts.map((a) => `${a}:access-entry`), false) : ''}`;
}

/**
 * The agency's schema as served and composed: its own schema.graphql and the
 * kit's access log, with the timeline when the agency assembles one.
 */
export function readAgencySdl(dir: string, agency: string): string {
  return `${readFileSync(join(dir, 'schema.graphql'), 'utf8')}\n${accessLogSdl(agency, accessLogPeers(dir))}`;
}

const assemblySchema = z.strictObject({
  assembles: z.array(z.string().regex(/^[a-z]+$/, 'an agency is named in lower case letters')).min(1, 'name at least one agency'),
});

/**
 * The agencies whose parts of the access log this agency merges into one
 * timeline, from `access-log.yaml` in its folder (identity's, which owns the
 * entry points); none without that file. Each must be composed into the same
 * supergraph, or composition fails.
 */
export function accessLogPeers(dir: string): string[] {
  const file = join(dir, 'access-log.yaml');
  if (!existsSync(file)) return [];
  const parsed = assemblySchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data.assembles;
}

/** The policies for the access log's fields, the same in every agency. */
export function accessLogPolicies(agency: string): Policies {
  const everyone = { roles: [...ROLES], purposes: [...PURPOSES] };
  return {
    [`${agency}:access-log`]: {
      description: 'Who saw what of a child\'s data, when and why: for privacy officers (Caldicott guardians) auditing access.',
      allow: [{ roles: ['privacy-officer'], purposes: ['audit'] }],
    },
    [`${agency}:own-history`]: { description: 'A user\'s own access history: every user may see what was disclosed to them.', allow: [everyone] },
    [`${agency}:access-entry`]: { description: 'The fields of an access log entry, reached only through the access log or a user\'s own history.', allow: [everyone] },
  } as Policies;
}

interface Period { since: string; until: string }
type Context = { db: Database; authority: Authority | null };
/** An access entry as every agency gives it: exactly the fields of ENTRY_FIELDS. */
type Entry = Record<EntryField, unknown>;

/** The resolvers for the kit's access log, reading the agency's own audit log; the assembler also merges the others' parts (`peers`). */
export function accessLogResolvers(agency: string, peers: readonly string[] = []) {
  /**
   * One access entry per child per row: a child's own rows (`child` given), or every child of the caller's
   * rows. What this same request disclosed is left out (the log is as it stood when the request came; the
   * request's own reading is there next time), so that every agency's part, and the timeline, agree.
   */
  const read = async (ctx: Context, by: { child: string } | { caller: string }, period: Period): Promise<Entry[]> => {
    const rows = await ctx.db.query<{ entry: AuditEntry }>(
      `SELECT entry FROM service.audit_entry
        WHERE ${'child' in by ? 'nhs_numbers @> ARRAY[$1]' : 'caller_sub = $1'} AND ($2 = '' OR at >= $2::timestamptz) AND ($3 = '' OR at < $3::timestamptz)
        ORDER BY seq`,
      ['child' in by ? by.child : by.caller, period.since, period.until],
    );
    const traceId = ctx.authority?.traceId;
    return rows.filter(({ entry }) => entry.traceId !== traceId).flatMap(({ entry }) =>
      entry.children
        .filter((c) => !('child' in by) || c.nhsNumber === by.child)
        .map((c): Entry => ({
          at: entry.at, agency, traceId: entry.traceId, callerSub: entry.caller.sub, callerName: entry.caller.name, callerRoles: entry.caller.roles,
          callerOrg: entry.caller.org, purpose: entry.purpose, breakGlass: entry.breakGlass, nhsNumber: c.nhsNumber, localReference: c.localReference,
          disclosed: c.disclosed, denied: c.denied, lawfulBasis: entry.basis.lawfulBasis,
        })));
  };
  const childLog = (log: Period & { nhsNumber: string }, _: unknown, ctx: Context) => read(ctx, { child: log.nhsNumber }, log);
  // Only ever the caller's own history, whatever the reference says.
  const ownHistory = (history: Period, _: unknown, ctx: Context) => (ctx.authority ? read(ctx, { caller: ctx.authority.caller.sub }, history) : []);
  // One timeline: this agency's own part and the parts every other agency answered for (the gateway fetched them
  // for `@requires`), oldest first; entries made at the same moment keep the order of the agencies' names. Each
  // other part is taken as its agency's own, about this child (or this caller) only and without this request's
  // rows, whatever it says of itself: each agency's `read` already does so, and the merge does not rely on it.
  const timeline = (own: (parent: never, args: unknown, ctx: Context) => Entry[] | Promise<Entry[]>, belongs: (entry: Entry, parent: Record<string, unknown>, ctx: Context) => boolean) =>
    async (parent: Record<string, unknown>, args: unknown, ctx: Context) => {
      // A part an agency did not give (it failed, or withheld it) would leave a timeline that looks whole but is not.
      const missing = peers.filter((peer) => !Array.isArray(parent[peer]));
      if (missing.length > 0) {
        throw new GraphQLError(`The timeline cannot be assembled: ${missing.join(', ')} did not answer for ${missing.length === 1 ? 'its' : 'their'} part; each agency's own part is still available on its own field`, {
          extensions: { code: ErrorCode.AGENCY_UNAVAILABLE, agencies: missing },
        });
      }
      const traceId = ctx.authority?.traceId;
      const theirs = peers.flatMap((peer) => (parent[peer] as Entry[]).map((entry) => ({ ...entry, agency: peer })));
      const parts = [...(await own(parent as never, args, ctx)), ...theirs.filter((entry) => entry.traceId !== traceId && belongs(entry, parent, ctx))];
      const key = (e: Entry) => `${String(e.at ?? '')}\u0000${String(e.agency)}`;
      return parts.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    };
  return {
    ChildAccessLog: {
      __resolveReference: (reference: Period & { nhsNumber: string }) => reference,
      [agency]: childLog,
      ...(peers.length > 0 ? { entries: timeline(childLog, (entry, log) => entry.nhsNumber === log.nhsNumber) } : {}),
    },
    AccessHistory: {
      __resolveReference: (reference: Period & { sub: string }) => reference,
      [agency]: ownHistory,
      ...(peers.length > 0 ? { entries: timeline(ownHistory, (entry, _, ctx) => entry.callerSub === ctx.authority?.caller.sub) } : {}),
    },
  };
}
