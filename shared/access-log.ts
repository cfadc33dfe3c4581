import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PURPOSES, ROLES, type Authority } from './authority';
import type { AuditEntry } from './audit';
import type { Database } from './database';
import type { Policies } from './policy-decision';

/**
 * The federated access log, which the subgraph kit adds to every agency: each
 * agency answers, from its own audit log, for its own disclosures about a child
 * (`ChildAccessLog.<agency>`, privacy officers auditing) and for the caller's
 * own history (`AccessHistory.<agency>`). Identity owns the entry points
 * (`Child.accessLog`, `Query.myAccessHistory`); the gateway joins the parts.
 */
export function accessLogSdl(agency: string): string {
  const T = agency.charAt(0).toUpperCase() + agency.slice(1);
  const field = (policy: string) => (description: string, definition: string) => `  "${description}"\n  ${definition} @policy(policies: [["${agency}:${policy}"]])`;
  const entry = field('access-entry');
  // The two entities differ only in whose log they are (a child's, or the caller's) and in who may read them.
  const log = (type: string, about: string, key: [string, string, string], policy: string, list: string) => `
"${about}"
type ${type} @key(fields: "${key[0]} since until") {
${[
  field(policy)(key[2], `${key[0]}: ${key[1]}`),
  field(policy)('The start of the period, as an ISO 8601 date or time; empty for the beginning of the log.', 'since: String'),
  field(policy)('The end of the period (exclusive), as an ISO 8601 date or time; empty for now.', 'until: String'),
  field(policy)(list, `${agency}: [${T}AccessEntry!]`),
].join('\n')}
}
`;
  return `${log('ChildAccessLog', "A child's access log for a period: each agency answers for its own disclosures about the child.",
    ['nhsNumber', 'ID', "The child's NHS number."], 'access-log', `${T}'s own record of what it disclosed about the child in the period, oldest first.`)}${
  log('AccessHistory', "The caller's own access history for a period: each agency answers for what it disclosed to them.",
    ['sub', 'ID', "The caller's user id."], 'own-history', `What ${T} disclosed to the caller in the period, oldest first.`)}
"One disclosure ${T} made: who saw what of a child's data, when and why."
type ${T}AccessEntry {
${[
  entry('When, as an ISO 8601 time (UTC).', 'at: String'),
  entry('The agency that disclosed.', 'agency: String'),
  entry('The request, the same in every agency it reached.', 'traceId: String'),
  entry('The user id of who saw it.', 'callerSub: String'),
  entry('Their name.', 'callerName: String'),
  entry('Their roles.', 'callerRoles: [String!]'),
  entry('Their organisation (ODS code, local authority code, school URN or landlord id).', 'callerOrg: String'),
  entry('The purpose of use they declared.', 'purpose: String'),
  entry('The break-glass justification, when the access was an emergency.', 'breakGlass: String'),
  entry("The child's NHS number.", 'nhsNumber: ID'),
  entry("The agency's own reference for the record, where it has one (housing).", 'localReference: String'),
  entry('The fields disclosed, as paths below the child.', 'disclosed: [String!]'),
  entry('The fields withheld, with the policy and the reason.', `denied: [${T}AccessDenial!]`),
  entry('The lawful basis the disclosure rested on.', 'lawfulBasis: String'),
].join('\n')}
}

"A field ${T} withheld."
type ${T}AccessDenial {
${[
  entry('The field, as a path below the child.', 'field: String'),
  entry('The policy that withheld it.', 'policy: String'),
  entry('Why.', 'reason: String'),
].join('\n')}
}
`;
}

/** The agency's schema as served and composed: its own schema.graphql and the kit's access log. */
export function readAgencySdl(dir: string, agency: string): string {
  return `${readFileSync(join(dir, 'schema.graphql'), 'utf8')}\n${accessLogSdl(agency)}`;
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

/** The resolvers for the kit's access log, reading the agency's own audit log. */
export function accessLogResolvers(agency: string) {
  /** One access entry per child per row: a child's own rows (`child` given), or every child of the caller's rows. */
  const read = async (db: Database, by: { child: string } | { caller: string }, period: Period) => {
    const rows = await db.query<{ entry: AuditEntry }>(
      `SELECT entry FROM service.audit_entry
        WHERE ${'child' in by ? 'nhs_numbers @> ARRAY[$1]' : 'caller_sub = $1'} AND ($2 = '' OR at >= $2::timestamptz) AND ($3 = '' OR at < $3::timestamptz)
        ORDER BY seq`,
      ['child' in by ? by.child : by.caller, period.since, period.until],
    );
    return rows.flatMap(({ entry }) =>
      entry.children
        .filter((c) => !('child' in by) || c.nhsNumber === by.child)
        .map((c) => ({
          at: entry.at, agency, traceId: entry.traceId, callerSub: entry.caller.sub, callerName: entry.caller.name, callerRoles: entry.caller.roles,
          callerOrg: entry.caller.org, purpose: entry.purpose, breakGlass: entry.breakGlass, nhsNumber: c.nhsNumber, localReference: c.localReference,
          disclosed: c.disclosed, denied: c.denied, lawfulBasis: entry.basis.lawfulBasis,
        })));
  };
  type Context = { db: Database; authority: Authority | null };
  return {
    ChildAccessLog: {
      __resolveReference: (reference: Period & { nhsNumber: string }) => reference,
      [agency]: (log: Period & { nhsNumber: string }, _: unknown, ctx: Context) => read(ctx.db, { child: log.nhsNumber }, log),
    },
    AccessHistory: {
      __resolveReference: (reference: Period & { sub: string }) => reference,
      // Only ever the caller's own history, whatever the reference says.
      [agency]: (history: Period, _: unknown, ctx: Context) => (ctx.authority ? read(ctx.db, { caller: ctx.authority.caller.sub }, history) : []),
    },
  };
}
