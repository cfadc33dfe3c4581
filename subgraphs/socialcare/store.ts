import { createListLoader, createRowLoader, type Database } from '../../shared';

export type SocialCareStatus = 'NONE' | 'CHILD_IN_NEED' | 'CHILD_PROTECTION_PLAN' | 'LOOKED_AFTER';

/** A child's social care record as the subgraph serves it; `nhsNumber` lets its lists be loaded. */
export interface SocialCareRecord {
  nhsNumber: string;
  status: SocialCareStatus;
  statusSince: string | null;
  localAuthority: { name: string; dutyPhone: string | null };
  allocatedWorker: { name: string; phone: string | null; team: string | null } | null;
  // Hidden facts for the record rules (not in the schema): who may read the record's case notes.
  /** The login of the allocated worker (the persona `sub`); null when no worker is allocated. */
  allocatedWorkerLogin: string | null;
  /** The name of the allocated worker's team; null when no worker (or team) is allocated. */
  allocatedTeamName: string | null;
  /** The code of the local authority that holds the record. */
  laCode: string;
  /** The child's whereabouts must not be disclosed. */
  restricted: boolean;
  /** The current placement of a looked-after child. */
  placement: { type: string; since: string; area: string } | null;
}

/** A referral, with the NHS number of the child it is about. */
export interface ReferralRecord {
  nhsNumber: string;
  date: string;
  source: string;
  reason: string;
}

/** A case note, with the NHS number of the child it is about. */
export interface CaseNoteRecord {
  nhsNumber: string;
  date: string;
  author: string | null;
  text: string;
}

interface RecordRow {
  nhs_number: string;
  category: string | null;
  status_since: string | null;
  la_code: string;
  la_name: string;
  la_duty_phone: string | null;
  worker_login: string | null;
  worker_name: string | null;
  worker_phone: string | null;
  team_name: string | null;
  restricted: boolean;
  placement_type: string | null;
  placement_since: string | null;
  placement_area: string | null;
}
interface ReferralRow {
  nhs_number: string;
  received_on: string;
  source: string;
  reason: string;
}
interface CaseNoteRow {
  nhs_number: string;
  written_on: string;
  author: string | null;
  body: string;
}

const statuses: Record<string, SocialCareStatus> = { CIN: 'CHILD_IN_NEED', CPP: 'CHILD_PROTECTION_PLAN', LAC: 'LOOKED_AFTER' };

// When episodes overlap (a child in need who is then made subject to a plan), the
// most serious open one is the child's status.
const selectRecord = `
  SELECT p.nhs_number, e.category, COALESCE(e.started_on, r.received_on)::text AS status_since,
         p.la_code, la.name AS la_name, la.duty_phone AS la_duty_phone,
         w.login AS worker_login, w.name AS worker_name, w.phone AS worker_phone, t.name AS team_name,
         p.restricted, pl.placement_type, pl.started_on::text AS placement_since, pl.area AS placement_area
    FROM records.person p
    JOIN records.local_authority la ON la.la_code = p.la_code
    LEFT JOIN LATERAL (
      SELECT category, started_on FROM records.episode
       WHERE person_id = p.person_id AND ended_on IS NULL
       ORDER BY CASE category WHEN 'LAC' THEN 3 WHEN 'CPP' THEN 2 ELSE 1 END DESC, started_on DESC
       LIMIT 1) e ON true
    LEFT JOIN LATERAL (
      SELECT max(received_on) AS received_on FROM records.referral WHERE person_id = p.person_id) r ON true
    LEFT JOIN LATERAL (
      SELECT worker_id FROM records.allocation
       WHERE person_id = p.person_id AND ended_on IS NULL
       ORDER BY started_on DESC
       LIMIT 1) a ON true
    LEFT JOIN records.worker w ON w.worker_id = a.worker_id
    LEFT JOIN records.team t ON t.team_id = w.team_id
    LEFT JOIN LATERAL (
      SELECT placement_type, started_on, area FROM records.placement
       WHERE person_id = p.person_id AND ended_on IS NULL
       ORDER BY started_on DESC
       LIMIT 1) pl ON true
   WHERE p.nhs_number = ANY($1::text[])`;

const selectReferrals = `
  SELECT p.nhs_number, r.received_on::text AS received_on, r.source, r.reason
    FROM records.person p
    JOIN records.referral r ON r.person_id = p.person_id
   WHERE p.nhs_number = ANY($1::text[])
   ORDER BY r.received_on DESC, r.referral_id DESC`;

const selectCaseNotes = `
  SELECT p.nhs_number, n.written_on::text AS written_on, w.name AS author, n.body
    FROM records.person p
    JOIN records.case_note n ON n.person_id = p.person_id
    LEFT JOIN records.worker w ON w.worker_id = n.author_worker_id
   WHERE p.nhs_number = ANY($1::text[])
   ORDER BY n.written_on DESC, n.note_id DESC`;

/** The most children `myCaseload` answers with: a page a practitioner can scan, and one gateway batch per agency. */
export const CASELOAD_LIMIT = 500;

// A child is on the caseload of the worker of their current (newest open) allocation, as `selectRecord` decides
// the allocated worker, so the caseload and each child's record never disagree about who holds the child.
const caseloadFrom = `
    FROM records.person p
    JOIN LATERAL (
      SELECT worker_id FROM records.allocation
       WHERE person_id = p.person_id AND ended_on IS NULL
       ORDER BY started_on DESC
       LIMIT 1) a ON true
    JOIN records.worker w ON w.worker_id = a.worker_id
    JOIN records.team t ON t.team_id = w.team_id
   WHERE p.nhs_number IS NOT NULL AND p.la_code = $1
     AND (w.login = $2 OR (t.name = $3 AND t.la_code = $1))`;
const selectCaseload = `SELECT p.nhs_number ${caseloadFrom} ORDER BY p.nhs_number LIMIT ${CASELOAD_LIMIT}`;
const countCaseload = `SELECT count(*)::int AS n ${caseloadFrom}`;

type Caller = { sub: string; org: string; roles: readonly string[]; team?: string };
const caseloadParameters = (caller: Caller) => [caller.org, caller.sub, caller.roles.includes('team-manager') ? (caller.team ?? null) : null];

/**
 * The NHS numbers of the children allocated to a worker of the caller's local authority: the caller's own, and
 * for a team manager also those of every worker in the caller's team.
 */
export async function caseloadOf(db: Database, caller: Caller): Promise<string[]> {
  const rows = await db.query<{ nhs_number: string }>(selectCaseload, caseloadParameters(caller), { prepare: true });
  return rows.map((row) => row.nhs_number);
}

/** How many children `caseloadOf` would give without its limit. */
export async function caseloadSizeOf(db: Database, caller: Caller): Promise<number> {
  const rows = await db.query<{ n: number }>(countCaseload, caseloadParameters(caller), { prepare: true });
  return rows[0]?.n ?? 0;
}

function toRecord(row: RecordRow): SocialCareRecord {
  return {
    nhsNumber: row.nhs_number,
    status: (row.category && statuses[row.category]) || 'NONE',
    statusSince: row.status_since,
    localAuthority: { name: row.la_name, dutyPhone: row.la_duty_phone },
    allocatedWorker: row.worker_name === null ? null : { name: row.worker_name, phone: row.worker_phone, team: row.team_name },
    allocatedWorkerLogin: row.worker_login,
    allocatedTeamName: row.worker_login === null ? null : row.team_name,
    laCode: row.la_code,
    restricted: row.restricted,
    placement: row.placement_type === null ? null : { type: row.placement_type, since: row.placement_since ?? '', area: row.placement_area ?? '' },
  };
}

const toReferral = (row: ReferralRow): ReferralRecord => ({ nhsNumber: row.nhs_number, date: row.received_on, source: row.source, reason: row.reason });
const toCaseNote = (row: CaseNoteRow): CaseNoteRecord => ({ nhsNumber: row.nhs_number, date: row.written_on, author: row.author, text: row.body });

export function createSocialCareLoaders(db: Database) {
  const byNhsNumber = (item: { nhsNumber: string }) => item.nhsNumber;
  return {
    record: createRowLoader<string, SocialCareRecord>(
      async (nhsNumbers) => (await db.query<RecordRow>(selectRecord, [nhsNumbers], { prepare: true })).map(toRecord),
      byNhsNumber,
    ),
    referrals: createListLoader<string, ReferralRecord>(
      async (nhsNumbers) => (await db.query<ReferralRow>(selectReferrals, [nhsNumbers], { prepare: true })).map(toReferral),
      byNhsNumber,
    ),
    caseNotes: createListLoader<string, CaseNoteRecord>(
      async (nhsNumbers) => (await db.query<CaseNoteRow>(selectCaseNotes, [nhsNumbers], { prepare: true })).map(toCaseNote),
      byNhsNumber,
    ),
  };
}
export type SocialCareLoaders = ReturnType<typeof createSocialCareLoaders>;
