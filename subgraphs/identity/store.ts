import {
  createRowLoader,
  defaultScorer,
  DEFAULT_THRESHOLDS,
  nameKey,
  normalisePostcode,
  postcodeSector,
  prepare,
  swapDayAndMonth,
  type Authority,
  type Database,
  type Demographics,
  type Score,
} from '../../shared';

/** A child as the subgraph serves it, read from the demographics store. */
export interface ChildRecord {
  nhsNumber: string;
  name: { given: string; family: string };
  dateOfBirth: string;
  gender: 'MALE' | 'FEMALE' | 'OTHER' | 'UNKNOWN';
  address: { line1: string; town: string; postcode: string } | null;
  nhsNumberStatus: string;
  restricted: boolean;
}

interface PatientRow {
  nhs_number: string;
  given_name: string;
  family_name: string;
  date_of_birth: string;
  gender_code: number;
  nhs_number_status: string;
  confidentiality: string | null;
  line1: string | null;
  town: string | null;
  postcode: string | null;
}

const genders: Record<number, ChildRecord['gender']> = { 0: 'UNKNOWN', 1: 'MALE', 2: 'FEMALE', 9: 'OTHER' };
export const genderCodes: Record<ChildRecord['gender'], number> = { UNKNOWN: 0, MALE: 1, FEMALE: 2, OTHER: 9 };

const selectPatientWith = (extra: string) => `
  SELECT p.nhs_number, p.given_name, p.family_name, p.date_of_birth::text AS date_of_birth, p.gender_code,
         p.nhs_number_status, p.confidentiality, a.line1, a.town, a.postcode${extra}
    FROM records.patient p
    LEFT JOIN records.patient_address a ON a.nhs_number = p.nhs_number AND a.valid_to IS NULL`;
const selectPatient = selectPatientWith('');

function toChild(row: PatientRow): ChildRecord {
  return {
    nhsNumber: row.nhs_number,
    name: { given: row.given_name, family: row.family_name },
    dateOfBirth: row.date_of_birth,
    gender: genders[row.gender_code] ?? 'UNKNOWN',
    // A restricted child's location is withheld from everyone, as PDS does for its restricted patients.
    address: row.line1 === null || row.confidentiality === 'S' ? null : { line1: row.line1, town: row.town ?? '', postcode: row.postcode ?? '' },
    nhsNumberStatus: row.nhs_number_status,
    restricted: row.confidentiality === 'S',
  };
}

export function createIdentityLoaders(db: Database) {
  return {
    child: createRowLoader<string, ChildRecord>(
      async (nhsNumbers) => (await db.query<PatientRow>(`${selectPatient} WHERE p.nhs_number = ANY($1::text[])`, [nhsNumbers], { prepare: true })).map(toChild),
      (child) => child.nhsNumber,
    ),
  };
}
export type IdentityLoaders = ReturnType<typeof createIdentityLoaders>;

export interface ExactSearch {
  given?: string;
  family: string;
  dateOfBirth: string;
  gender?: ChildRecord['gender'];
  postcode?: string;
}

/** Children matching every field given: names case-insensitively, postcode ignoring spaces. At most `limit`. */
export async function searchExact(db: Database, search: ExactSearch, limit: number): Promise<ChildRecord[]> {
  const params: unknown[] = [search.family.trim().toLowerCase(), search.dateOfBirth];
  const where = ['lower(p.family_name) = $1', 'p.date_of_birth = $2::date'];
  if (search.given) where.push(`lower(p.given_name) = $${params.push(search.given.trim().toLowerCase())}`);
  if (search.gender) where.push(`p.gender_code = $${params.push(genderCodes[search.gender])}`);
  if (search.postcode) {
    where.push(`replace(upper(a.postcode), ' ', '') = $${params.push(search.postcode.replace(/\s+/g, '').toUpperCase())}`);
    // A search by postcode never finds a restricted child: otherwise guessing postcodes would reveal where they live.
    where.push(`p.confidentiality IS DISTINCT FROM 'S'`);
  }
  const rows = await db.query<PatientRow>(`${selectPatient} WHERE ${where.join(' AND ')} ORDER BY p.nhs_number LIMIT ${limit}`, params);
  return rows.map(toChild);
}

export interface FuzzySearch {
  given?: string;
  family?: string;
  dateOfBirth: string;
  gender?: ChildRecord['gender'];
  postcode?: string;
}

/** Fuzzy results have at least this probability of being the child searched for: the least that housing would propose to a person. */
export const FUZZY_MIN_PROBABILITY = DEFAULT_THRESHOLDS.review;

/**
 * Fuzzy search, as a tracing service does it: candidates are found by index
 * with the blocking rules of shared/matching/blocking.ts (the date of birth as
 * given or with day and month swapped, any postcode the child has had, or two
 * of the names' codes, the month of birth and the postcode sector); each is
 * scored with the shared model against the current and previous addresses,
 * most probable first. A search by postcode never finds a restricted child.
 */
export async function searchFuzzy(db: Database, search: FuzzySearch, limit: number): Promise<(Score & { child: ChildRecord })[]> {
  const postcode = search.postcode ? normalisePostcode(search.postcode) || null : null;
  const rows = await db.query<PatientRow & { lines: string[]; towns: string[]; postcodes: string[] }>(
    `WITH c AS (
       SELECT p.nhs_number FROM records.patient p WHERE p.date_of_birth = ANY($1::date[])
       UNION SELECT a.nhs_number FROM records.patient_address a WHERE service.match_postcode(a.postcode) = $2
       UNION SELECT p.nhs_number FROM records.patient p
              WHERE (service.match_name_key(p.given_name) = $4 AND service.match_name_key(p.family_name) = $5)
                 OR (service.match_name_key(p.given_name) = $5 AND service.match_name_key(p.family_name) = $4)
       UNION SELECT p.nhs_number FROM records.patient p WHERE service.match_name_key(p.given_name) = $4 AND p.date_of_birth >= $6::date AND p.date_of_birth < ($6::date + interval '1 month')::date
       UNION SELECT p.nhs_number FROM records.patient p WHERE service.match_name_key(p.family_name) = $5 AND p.date_of_birth >= $6::date AND p.date_of_birth < ($6::date + interval '1 month')::date
       UNION SELECT a.nhs_number FROM records.patient_address a JOIN records.patient p ON p.nhs_number = a.nhs_number
              WHERE service.match_sector(a.postcode) = $3
                AND (service.match_name_key(p.given_name) = $4 OR service.match_name_key(p.family_name) = $5
                     OR (p.date_of_birth >= $6::date AND p.date_of_birth < ($6::date + interval '1 month')::date))
     )
     ${selectPatientWith(`,
         (SELECT array_agg(h.line1 ORDER BY h.valid_to DESC NULLS FIRST) FROM records.patient_address h WHERE h.nhs_number = p.nhs_number) AS lines,
         (SELECT array_agg(h.town ORDER BY h.valid_to DESC NULLS FIRST) FROM records.patient_address h WHERE h.nhs_number = p.nhs_number) AS towns,
         (SELECT array_agg(h.postcode ORDER BY h.valid_to DESC NULLS FIRST) FROM records.patient_address h WHERE h.nhs_number = p.nhs_number) AS postcodes`)}
      JOIN c ON c.nhs_number = p.nhs_number${postcode ? " WHERE p.confidentiality IS DISTINCT FROM 'S'" : ''}`,
    [
      [search.dateOfBirth, swapDayAndMonth(search.dateOfBirth)].filter((d): d is string => d !== null),
      postcode,
      postcode ? postcodeSector(postcode) : null,
      search.given ? nameKey(search.given) || null : null,
      search.family ? nameKey(search.family) || null : null,
      `${search.dateOfBirth.slice(0, 7)}-01`,
    ],
  );
  const query: Demographics = {
    given: search.given,
    family: search.family,
    dateOfBirth: search.dateOfBirth,
    gender: search.gender,
    addresses: postcode ? [{ postcode }] : [],
  };
  const q = prepare(query);
  return rows
    .map((row) => {
      const child = toChild(row);
      const addresses = (row.postcodes ?? []).map((p, i) => ({ lines: [row.lines?.[i] ?? null], town: row.towns?.[i] ?? null, postcode: p }));
      const score = defaultScorer.score(
        q,
        prepare({ given: row.given_name, family: row.family_name, dateOfBirth: row.date_of_birth, gender: child.gender, addresses }),
      );
      return { child, ...score };
    })
    .filter((r) => r.probability >= FUZZY_MIN_PROBABILITY)
    .sort((a, b) => b.probability - a.probability || b.score - a.score || a.child.nhsNumber.localeCompare(b.child.nhsNumber))
    .slice(0, limit);
}

/** Records a search with its parameters, before any result leaves: if it cannot be recorded, nothing is returned. */
export async function recordSearch(
  db: Database,
  entry: {
    traceId: string;
    caller: { sub: string; name: string; roles: string[]; org: string };
    purpose: string;
    fuzzy: boolean;
    parameters: Record<string, unknown>;
    results: number;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO service.search_log (trace_id, caller_sub, caller_name, caller_roles, caller_org, purpose, fuzzy, parameters, results)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)`,
    [
      entry.traceId,
      entry.caller.sub,
      entry.caller.name,
      entry.caller.roles.join(','),
      entry.caller.org,
      entry.purpose,
      entry.fuzzy,
      JSON.stringify(entry.parameters),
      entry.results,
    ],
  );
}

export type BreakGlassReviewStatus = 'UNREVIEWED' | 'OVERDUE' | 'REVIEWED';
/** A grant waits this long for review before it is overdue. */
export const REVIEW_DUE_HOURS = 72;

interface GrantRow {
  id: string;
  caller_sub: string;
  caller_name: string;
  caller_org: string;
  nhs_number: string;
  justification: string;
  opened_at: string;
  expires_at: string;
  overdue: boolean;
  outcome: string | null;
  note: string | null;
  reviewed_by: string | null;
  reviewed_by_name: string | null;
  reviewed_at: string | null;
}

const selectGrant = `SELECT id, caller_sub, caller_name, caller_org, nhs_number, justification, opened_at::text, expires_at::text,
    (outcome IS NULL AND opened_at < now() - interval '${REVIEW_DUE_HOURS} hours') AS overdue, outcome, note, reviewed_by, reviewed_by_name, reviewed_at::text
  FROM service.break_glass_grant`;

const toGrant = (row: GrantRow) => ({
  id: row.id,
  callerSub: row.caller_sub,
  callerName: row.caller_name,
  callerOrg: row.caller_org,
  nhsNumber: row.nhs_number,
  justification: row.justification,
  openedAt: new Date(row.opened_at).toISOString(),
  expiresAt: new Date(row.expires_at).toISOString(),
  overdue: row.overdue,
  outcome: row.outcome,
  note: row.note,
  reviewedBy: row.reviewed_by ? `${row.reviewed_by_name} (${row.reviewed_by})` : null,
  reviewedAt: row.reviewed_at ? new Date(row.reviewed_at).toISOString() : null,
});

/** Records a grant the gateway has just opened (once, however many requests carry it). */
export async function recordBreakGlassGrant(db: Database, authority: Authority, nhsNumber: string): Promise<void> {
  const grant = authority.breakGlassGrant!;
  await db.query(
    `INSERT INTO service.break_glass_grant (id, caller_sub, caller_name, caller_org, caller_roles, nhs_number, justification, trace_id, opened_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`,
    [
      grant.id,
      authority.caller.sub,
      authority.caller.name,
      authority.caller.org,
      authority.caller.roles.join(','),
      nhsNumber,
      authority.breakGlass ?? '',
      authority.traceId,
      grant.openedAt,
      grant.expiresAt,
    ],
  );
  await recordAlerts(db, authority, [
    {
      kind: 'BREAK_GLASS',
      count: null,
      threshold: null,
      detail: `break-glass grant ${grant.id} opened until ${grant.expiresAt}: ${authority.breakGlass ?? ''}`,
    },
  ]);
}

export async function breakGlassGrants(db: Database, status: BreakGlassReviewStatus) {
  const where = {
    UNREVIEWED: 'outcome IS NULL',
    OVERDUE: `outcome IS NULL AND opened_at < now() - interval '${REVIEW_DUE_HOURS} hours'`,
    REVIEWED: 'outcome IS NOT NULL',
  }[status];
  return (await db.query<GrantRow>(`${selectGrant} WHERE ${where} ORDER BY opened_at`)).map(toGrant);
}

export async function reviewBreakGlassGrant(db: Database, id: string, review: { outcome: string; note: string; by: { sub: string; name: string } }) {
  const [row] = await db.query<GrantRow>(
    `UPDATE service.break_glass_grant SET outcome = $2, note = $3, reviewed_by = $4, reviewed_by_name = $5, reviewed_at = now() WHERE id = $1
     RETURNING id, caller_sub, caller_name, caller_org, nhs_number, justification, opened_at::text, expires_at::text, false AS overdue,
               outcome, note, reviewed_by, reviewed_by_name, reviewed_at::text`,
    [id, review.outcome, review.note, review.by.sub, review.by.name],
  );
  return row ? toGrant({ ...row, overdue: false }) : null;
}

/**
 * Records alerts for the privacy officer: those the gateway raised with a caller's request (one per caller,
 * kind and hour: one already recorded is kept as it is), and each break-glass grant opened.
 */
export async function recordAlerts(
  db: Database,
  authority: Authority,
  alerts: { kind: string; count: number | null; threshold: number | null; detail: string; hour?: string }[],
): Promise<void> {
  if (alerts.length === 0) return;
  await db.query(
    `INSERT INTO service.access_alert (kind, caller_sub, caller_name, caller_org, caller_roles, count, threshold, detail, trace_id, counted_hour)
     SELECT a.kind, $2, $3, $4, $5, a.count, a.threshold, a.detail, $6, a.hour
       FROM jsonb_to_recordset($1::jsonb) AS a(kind text, count int, threshold int, detail text, hour timestamptz)
     ON CONFLICT (caller_sub, kind, counted_hour) WHERE counted_hour IS NOT NULL DO NOTHING`,
    [JSON.stringify(alerts), authority.caller.sub, authority.caller.name, authority.caller.org, authority.caller.roles.join(','), authority.traceId],
  );
}

export async function accessAlerts(db: Database, since: string | null) {
  const rows = await db.query<{
    id: string;
    raised_at: string;
    kind: string;
    caller_sub: string;
    caller_name: string;
    caller_org: string;
    count: number | null;
    threshold: number | null;
    detail: string;
  }>(
    `SELECT id::text, raised_at::text, kind, caller_sub, caller_name, caller_org, count, threshold, detail FROM service.access_alert
      WHERE $1::timestamptz IS NULL OR raised_at >= $1::timestamptz ORDER BY raised_at DESC, id DESC LIMIT 500`,
    [since],
  );
  return rows.map((r) => ({
    id: r.id,
    raisedAt: new Date(r.raised_at).toISOString(),
    kind: r.kind,
    callerSub: r.caller_sub,
    callerName: r.caller_name,
    callerOrg: r.caller_org,
    count: r.count,
    threshold: r.threshold,
    detail: r.detail,
  }));
}
