import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AGENCY_NAMES } from '../../registry';
import { badUserInput, ErrorCode, graphqlError, isIsoDateTime, validateDateTimeArg, type Authority } from '../common';
import { accessEntriesPage, AUDIT_PAGE, compareCursors, decodeCursor, DEFAULT_PERIOD_DAYS, encodeCursor, type AccessCursor } from './audit-pages';
import type { Database } from '../database';

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
  ['cursor', 'String', 'Where this entry stands in the timeline: pass it as `after` for the entries that follow it.'],
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
  const requires = `@requires(fields: "${assembles.map((peer) => `${peer} { ${ENTRY_SELECTION} }`).join(' ')}")`;
  // The two entities differ only in whose log they are (a child's, or the caller's) and in who may read them.
  // `entries` carries the policies of all it is made of, as composition insists: every agency's part and its entries.
  const log = (type: string, about: string, key: [string, string, string], policy: string, list: string, timeline: string) => `
"${about}"
type ${type} @key(fields: "${key[0]} since until first after") {
${[
  `  "${key[2]}"\n  ${key[0]}: ${key[1]} ${tag([`${agency}:${policy}`])}`,
  `  "The start of the period, as an ISO 8601 date or time."\n  since: String ${tag([`${agency}:${policy}`])}`,
  `  "The end of the period (exclusive), as an ISO 8601 date or time; empty for now."\n  until: String ${tag([`${agency}:${policy}`])}`,
  `  "The most entries in a page (each agency's part, and the timeline)."\n  first: Int ${tag([`${agency}:${policy}`])}`,
  `  "The cursor the page starts after; empty for the start of the period."\n  after: String ${tag([`${agency}:${policy}`])}`,
  `  "${list}"\n  ${agency}: [${T}AccessEntry!] ${tag([`${agency}:${policy}`])}`,
  ...assembles.map((peer) => `  "${typeName(peer)}'s part, which it answers for itself."\n  ${peer}: [${typeName(peer)}AccessEntry!] @external`),
  ...(assembles.length > 0
    ? [
        `  "${timeline}"\n  entries: [AccessLogEntry!] ${requires} ${tag([...parts.map((a) => `${a}:${policy}`), ...assembles.map((a) => `${a}:access-entry`)])}`,
        `  "The cursor to pass as \`after\` for the next page of \`entries\`; null when this page is the last."\n  next: String ${requires} ${tag([...parts.map((a) => `${a}:${policy}`), ...assembles.map((a) => `${a}:access-entry`)])}`,
      ]
    : []),
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
  return `${log(
    'ChildAccessLog',
    "A child's access log for a period: each agency answers for its own disclosures about the child.",
    ['nhsNumber', 'ID', "The child's NHS number."],
    'access-log',
    `${T}'s own record of what it disclosed about the child in the period, oldest first.`,
    "Every agency's disclosures about the child in the period, in one timeline, oldest first.",
  )}${log(
    'AccessHistory',
    "The caller's own access history for a period: each agency answers for what it disclosed to them.",
    ['sub', 'ID', "The caller's user id."],
    'own-history',
    `What ${T} disclosed to the caller in the period, oldest first.`,
    'What every agency disclosed to the caller in the period, in one timeline, oldest first.',
  )}${entryType(
    `${T}AccessEntry`,
    `${T}AccessDenial`,
    [`One disclosure ${T} made: who saw what of a child's data, when and why.`, `A field ${T} withheld.`],
    [`${agency}:access-entry`],
    false,
  )}${assembles
    .map((peer) =>
      entryType(
        `${typeName(peer)}AccessEntry`,
        `${typeName(peer)}AccessDenial`,
        [`One disclosure ${typeName(peer)} made, as ${typeName(peer)} answers for it.`, `A field ${typeName(peer)} withheld.`],
        [],
        true,
      ),
    )
    .join('')}${
    assembles.length > 0
      ? entryType(
          'AccessLogEntry',
          'AccessLogDenial',
          ["One disclosure in an access log's timeline: who saw what of a child's data, when and why, from which agency.", 'A field an agency withheld.'],
          parts.map((a) => `${a}:access-entry`),
          false,
        )
      : ''
  }`;
}

const assemblySchema = z.strictObject({
  assembles: z.union([
    z.literal('every-agency'),
    z.array(z.string().regex(/^[a-z]+$/, 'an agency is named in lower case letters')).min(1, 'name at least one agency'),
  ]),
});

/**
 * The agencies whose parts of the access log this agency merges into one
 * timeline, from `access-log.yaml` in its folder (identity's, which owns the
 * entry points); none without that file. `every-agency` is every other agency
 * in the registry. Each must be composed into the same supergraph, or
 * composition fails.
 */
export function accessLogPeers(dir: string): string[] {
  const file = join(dir, 'access-log.yaml');
  if (!existsSync(file)) return [];
  const parsed = assemblySchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const { assembles } = parsed.data;
  return assembles === 'every-agency' ? AGENCY_NAMES.filter((name) => name !== basename(dir)) : assembles;
}

/** A page of an access log as its key carries it: the period (empty `until` for now), the page's size and where it starts. */
export interface AccessLogPage {
  since: string;
  until: string;
  first: number;
  after: string;
}
type Context = { db: Database; authority: Authority | null };
/** An access entry as every agency gives it: exactly the fields of ENTRY_FIELDS. */
type Entry = Record<EntryField, unknown>;

/**
 * The page a client asked for, checked, with the defaults filled in: a period
 * with no start is the year before its end, so that a log years long is never
 * read whole by default; at most AUDIT_PAGE.max entries, AUDIT_PAGE.default
 * when not said.
 */
export function accessLogPage(
  args: { since?: string | null; until?: string | null; first?: number | null; after?: string | null },
  now = new Date(),
): AccessLogPage {
  for (const name of ['since', 'until'] as const) {
    const value = args[name];
    if (value) validateDateTimeArg(value, name);
  }
  const first = args.first ?? AUDIT_PAGE.default;
  if (!Number.isInteger(first) || first < 1 || first > AUDIT_PAGE.max)
    throw badUserInput(`first: ${first} is not a whole number from 1 to ${AUDIT_PAGE.max}`, { argument: 'first' });
  const cursor = args.after ? decodeCursor(args.after) : null;
  if (args.after && !(cursor && isIsoDateTime(cursor.at)))
    throw badUserInput("after: not a cursor this access log gave (pass an entry's `cursor`, or `next`)", { argument: 'after' });
  const until = args.until ?? '';
  const end = until ? Date.parse(until) : now.getTime();
  const since = args.since ?? new Date(end - DEFAULT_PERIOD_DAYS * 86_400_000).toISOString();
  return { since, until, first, after: args.after ?? '' };
}

/** The resolvers for the kit's access log, reading the agency's own audit log; the assembler also merges the others' parts (`peers`). */
export function accessLogResolvers(agency: string, peers: readonly string[] = []) {
  /**
   * One access entry per child per row, a page of them: a child's own rows (`child` given), or every child of
   * the caller's rows. What this same request disclosed is left out (the log is as it stood when the request
   * came; the request's own reading is there next time), so that every agency's part, and the timeline, agree.
   */
  const read = async (ctx: Context, by: { child: string } | { caller: string }, key: Partial<AccessLogPage>): Promise<Entry[]> => {
    // The key comes from the gateway: checked again here, as a client's arguments are.
    const page = accessLogPage({ since: key.since || null, until: key.until || null, first: key.first ?? null, after: key.after || null });
    const found = await accessEntriesPage(ctx.db, agency, by, {
      since: page.since,
      until: page.until,
      first: page.first,
      after: page.after ? decodeCursor(page.after) : null,
      excludeTrace: ctx.authority?.traceId,
    });
    return found.map(({ cursor, entry, child: c }): Entry => ({
      at: entry.at,
      agency,
      traceId: entry.traceId,
      callerSub: entry.caller.sub,
      callerName: entry.caller.name,
      callerRoles: entry.caller.roles,
      callerOrg: entry.caller.org,
      purpose: entry.purpose,
      breakGlass: entry.breakGlass,
      nhsNumber: c.nhsNumber,
      localReference: c.localReference,
      disclosed: c.disclosed,
      denied: c.denied,
      lawfulBasis: entry.basis.lawfulBasis,
      cursor: encodeCursor(cursor),
    }));
  };
  const childLog = (log: Partial<AccessLogPage> & { nhsNumber: string }, _: unknown, ctx: Context) => read(ctx, { child: log.nhsNumber }, log);
  // Only ever the caller's own history, whatever the reference says.
  const ownHistory = (history: Partial<AccessLogPage>, _: unknown, ctx: Context) =>
    ctx.authority ? read(ctx, { caller: ctx.authority.caller.sub }, history) : [];
  // One timeline: this agency's own part and the parts every other agency answered for (the gateway fetched them
  // for `@requires`), in the timeline's order (time, agency, row, place in the row), one page of it. Each other
  // part is taken as its agency's own, about this child (or this caller) only, without this request's rows and
  // after the page's cursor, whatever it says of itself: each agency's `read` already does so, and the merge does
  // not rely on it. `entries` and `next` are resolved from one merge per log.
  const merged = new WeakMap<object, Promise<{ entries: Entry[]; next: string | null }>>();
  const timeline = (
    own: (parent: never, args: unknown, ctx: Context) => Entry[] | Promise<Entry[]>,
    belongs: (entry: Entry, parent: Record<string, unknown>, ctx: Context) => boolean,
  ) => {
    const merge = async (parent: Record<string, unknown>, args: unknown, ctx: Context) => {
      // A part an agency did not give (it failed, or withheld it) would leave a timeline that looks whole but is not.
      const missing = peers.filter((peer) => !Array.isArray(parent[peer]));
      if (missing.length > 0) {
        throw graphqlError(
          ErrorCode.AGENCY_UNAVAILABLE,
          `The timeline cannot be assembled: ${missing.join(', ')} did not answer for ${missing.length === 1 ? 'its' : 'their'} part; each agency's own part is still available on its own field`,
          { agencies: missing },
        );
      }
      const page = accessLogPage({ first: (parent.first as number | null) ?? null, after: (parent.after as string | null) || null });
      const after = page.after ? decodeCursor(page.after) : null;
      const traceId = ctx.authority?.traceId;
      const placed: { cursor: AccessCursor; entry: Entry }[] = (await own(parent as never, args, ctx)).map((entry) => ({
        cursor: decodeCursor(String(entry.cursor))!,
        entry,
      }));
      for (const peer of peers) {
        for (const entry of parent[peer] as Entry[]) {
          const cursor = decodeCursor(typeof entry.cursor === 'string' ? entry.cursor : '');
          if (!cursor || entry.traceId === traceId || !belongs(entry, parent, ctx)) continue;
          const at = { ...cursor, agency: peer };
          if (after && compareCursors(at, after) <= 0) continue;
          placed.push({ cursor: at, entry: { ...entry, agency: peer, cursor: encodeCursor(at) } });
        }
      }
      const entries = placed
        .sort((a, b) => compareCursors(a.cursor, b.cursor))
        .slice(0, page.first)
        .map((p) => p.entry);
      return { entries, next: entries.length === page.first ? String(entries.at(-1)!.cursor) : null };
    };
    const once = (parent: Record<string, unknown>, args: unknown, ctx: Context) => {
      let result = merged.get(parent);
      if (!result) merged.set(parent, (result = merge(parent, args, ctx)));
      return result;
    };
    return {
      entries: async (parent: Record<string, unknown>, args: unknown, ctx: Context) => (await once(parent, args, ctx)).entries,
      next: async (parent: Record<string, unknown>, args: unknown, ctx: Context) => (await once(parent, args, ctx)).next,
    };
  };
  return {
    ChildAccessLog: {
      __resolveReference: (reference: AccessLogPage & { nhsNumber: string }) => reference,
      [agency]: childLog,
      ...(peers.length > 0 ? timeline(childLog, (entry, log) => entry.nhsNumber === log.nhsNumber) : {}),
    },
    AccessHistory: {
      __resolveReference: (reference: AccessLogPage & { sub: string }) => reference,
      [agency]: ownHistory,
      ...(peers.length > 0 ? timeline(ownHistory, (entry, _, ctx) => entry.callerSub === ctx.authority?.caller.sub) : {}),
    },
  };
}
