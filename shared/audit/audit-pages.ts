import type { AuditEntry, ChildDisclosure } from './disclosures';
import type { Database } from '../database';

/** A period of the log: ISO 8601 dates or times; empty for an open end. */
export interface AuditPeriod {
  since: string;
  until: string;
}

/** The most rows or entries one page may hold, and how many when the caller does not say. */
export const AUDIT_PAGE = { default: 100, max: 500 } as const;

/** The period a reader gets when it names no start: the last year. */
export const DEFAULT_PERIOD_DAYS = 366;

const AT = `to_char(l.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

interface StoredRow {
  seq: string;
  at: string;
  entry: string;
}

/**
 * An entry as it was written (see storedEntry in audit-log.ts), with each child
 * whole again, as the view service.audit_entry gives it, but only for the
 * children `keep` chooses, each with its place in the row (from 1). Done here
 * rather than in SQL so that a page of caseload rows costs one JSON parse each.
 */
export function expandEntry(
  row: StoredRow,
  keep: (nhsNumber: string | null) => boolean,
): { entry: AuditEntry; children: { ord: number; child: ChildDisclosure }[]; total: number } {
  const doc = JSON.parse(row.entry) as Record<string, unknown>;
  const shapes = doc.shapes as Pick<ChildDisclosure, 'disclosed' | 'denied'>[] | undefined;
  const stored = (Array.isArray(doc.children) ? doc.children : []) as unknown[];
  const children: { ord: number; child: ChildDisclosure }[] = [];
  stored.forEach((item, i) => {
    const child: ChildDisclosure = Array.isArray(item)
      ? {
          nhsNumber: item[0] === null ? null : String(item[0]),
          localReference: (item[1] as string | null) ?? null,
          disclosed: shapes?.[item[2] as number]?.disclosed ?? [],
          denied: shapes?.[item[2] as number]?.denied ?? [],
        }
      : (item as ChildDisclosure);
    if (keep(child.nhsNumber)) children.push({ ord: i + 1, child });
  });
  delete doc.shapes;
  return { entry: { ...(doc as unknown as AuditEntry), children: children.map((c) => c.child), at: row.at }, children, total: stored.length };
}

function getValidFirst(first: number | undefined, max: number): number {
  if (first === undefined) return AUDIT_PAGE.default;
  if (!Number.isInteger(first) || first < 1 || first > max) throw new RangeError(`first must be a whole number from 1 to ${max}; got ${String(first)}`);
  return first;
}

/** One row about a child, for a subject access request. */
export interface ChildAuditRow {
  seq: number;
  entry: AuditEntry & { otherChildren: number };
  prevHash: string;
  hash: string;
  intact: boolean;
}

/**
 * A page of a child's rows, for a subject access request, in chain order: each
 * with this child's part of the entry only (a row about a caseload also names
 * other children, who are counted, not named), its place in the chain, and
 * whether it still matches its hash. `next` is the seq to pass as `after` for
 * the page that follows, null on the last page.
 */
export async function auditRowsForChild(
  db: Database,
  nhsNumber: string,
  page: Partial<AuditPeriod> & { first?: number; after?: number } = {},
): Promise<{ rows: ChildAuditRow[]; next: number | null }> {
  const first = getValidFirst(page.first, 10_000);
  const found = await db.query<StoredRow & { prev_hash: string; hash: string; intact: boolean }>(
    `SELECT l.seq::text AS seq, ${AT} AS at, l.entry, l.prev_hash, l.hash,
            service.audit_hash(l.prev_hash, l.at, l.caller_sub, l.nhs_numbers, l.entry) = l.hash AS intact
       FROM service.audit_log l
      WHERE l.nhs_numbers @> ARRAY[$1] AND l.seq > $2::bigint AND ($3 = '' OR l.at >= $3::timestamptz) AND ($4 = '' OR l.at < $4::timestamptz)
      ORDER BY l.seq LIMIT $5`,
    [nhsNumber, String(page.after ?? 0), page.since ?? '', page.until ?? '', first + 1],
  );
  const rows = found.slice(0, first).map((r) => {
    const { entry, children, total } = expandEntry(r, (n) => n === nhsNumber);
    return { seq: Number(r.seq), entry: { ...entry, otherChildren: total - children.length }, prevHash: r.prev_hash, hash: r.hash, intact: r.intact };
  });
  return { rows, next: found.length > first ? rows.at(-1)!.seq : null };
}

/** Where an access entry stands in a timeline: by time, then agency, then its row and its place in the row. */
export interface AccessCursor {
  at: string;
  agency: string;
  seq: number;
  ord: number;
}

/** One child's part of one row, with where it stands. */
export interface AccessEntryAt {
  cursor: AccessCursor;
  entry: AuditEntry;
  child: ChildDisclosure;
}

/**
 * A page of one agency's access entries, a child's (`child`) or a caller's
 * (`caller`), in the period, after `after` in the timeline's order, at most
 * `first`, oldest first. Rows are found and limited in SQL by their time and
 * number; only those rows' entries are read.
 */
export async function accessEntriesPage(
  db: Database,
  agency: string,
  by: { child: string } | { caller: string },
  options: AuditPeriod & { first: number; after: AccessCursor | null; excludeTrace?: string },
): Promise<AccessEntryAt[]> {
  const first = getValidFirst(options.first, AUDIT_PAGE.max);
  // Entries of agencies named before this one at the cursor's time are already behind it; those named after, not yet.
  const { after } = options;
  const bound = !after ? null : after.agency === agency ? after : { ...after, seq: after.agency < agency ? -1 : Number.MAX_SAFE_INTEGER, ord: 0 };
  const rows = await db.query<StoredRow>(
    `SELECT l.seq::text AS seq, ${AT} AS at, l.entry
       FROM service.audit_log l
      WHERE ${'child' in by ? 'l.nhs_numbers @> ARRAY[$1]' : 'l.caller_sub = $1'}
        AND ($2 = '' OR l.at >= $2::timestamptz) AND ($3 = '' OR l.at < $3::timestamptz)
        AND ($4 = '' OR (l.at, l.seq) >= ($4::timestamptz, $5::bigint))
      ORDER BY l.at, l.seq LIMIT $6`,
    ['child' in by ? by.child : by.caller, options.since, options.until, bound?.at ?? '', String(bound?.seq ?? 0), first + 1],
  );
  const out: AccessEntryAt[] = [];
  for (const row of rows) {
    const seq = Number(row.seq);
    const { entry, children } = expandEntry(row, 'child' in by ? (n) => n === by.child : () => true);
    if (options.excludeTrace !== undefined && entry.traceId === options.excludeTrace) continue;
    for (const { ord, child } of children) {
      if (bound && row.at === bound.at && (seq < bound.seq || (seq === bound.seq && ord <= bound.ord))) continue;
      out.push({ cursor: { at: row.at, agency, seq, ord }, entry, child });
      if (out.length === first) return out;
    }
  }
  return out;
}

/** Orders cursors as the timeline is ordered. */
export function compareCursors(a: AccessCursor, b: AccessCursor): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  if (a.agency !== b.agency) return a.agency < b.agency ? -1 : 1;
  return a.seq - b.seq || a.ord - b.ord;
}

/** A cursor as clients hold it: opaque, URL-safe. */
export function encodeCursor(cursor: AccessCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.agency, cursor.seq, cursor.ord])).toString('base64url');
}

/** A cursor read back, or null when it is not one this log gave. */
export function decodeCursor(text: string): AccessCursor | null {
  if (text.length > 200) return null;
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(value) || value.length !== 4) return null;
    const [at, agency, seq, ord] = value as unknown[];
    if (typeof at !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(at)) return null;
    if (typeof agency !== 'string' || !/^[a-z]{1,40}$/.test(agency)) return null;
    if (!Number.isSafeInteger(seq) || (seq as number) < 0 || !Number.isSafeInteger(ord) || (ord as number) < 0) return null;
    return { at, agency, seq: seq as number, ord: ord as number };
  } catch {
    return null;
  }
}
