import type { AuditHead } from './audit-log';
import type { Database } from '../database';

export type AuditBreak = { seq: number; kind: 'edited' | 'deleted' | 'reordered' | 'rewritten'; detail: string };

/** A head of an agency's chain as someone else saw it: when, and where that is written down. */
export interface WitnessedHead extends AuditHead {
  at: string;
  where: string;
}

const ORIGIN = '0'.repeat(64);

export interface VerifyOptions {
  /** Rows read at a time: memory stays bounded by one page however long the log is. @default 10000 */
  pageSize?: number;
  /** Told the number of rows checked so far, after each page. */
  onProgress?: (checked: number) => void;
}

interface ChainRow {
  seq: string;
  prev_hash: string;
  hash: string;
  intact: boolean;
}

/**
 * Walks the agency's chain in order, a page at a time (keyset on seq), and
 * reports the first broken link: a row whose hash does not match its contents
 * was edited; a row whose link does not match the row before it follows a
 * deleted row, or, when its link names another row still in the log, was
 * reordered; a chain ending before the row its head records has lost its
 * newest rows. Each hash is recomputed inside the database; only numbers and
 * hashes travel. The head is read first, so rows appended while the walk runs
 * are left for the next verification rather than taken for tampering.
 */
export async function verifyAuditChain(db: Database, options: VerifyOptions = {}): Promise<{ rows: number; broken: AuditBreak | null }> {
  const pageSize = getValidPageSize(options.pageSize);
  const [head] = await db.query<{ seq: string; hash: string }>('SELECT seq::text AS seq, hash FROM service.audit_head');
  if (!head) {
    const [end] = await db.query<{ last: string | null }>('SELECT max(seq)::text AS last FROM service.audit_log');
    return {
      rows: 0,
      broken: {
        seq: Number(end?.last ?? 0) + 1,
        kind: 'deleted',
        detail: 'the chain has no head (service.audit_head is empty): where it ends cannot be checked',
      },
    };
  }
  const headSeq = Number(head.seq);
  let { previous, previousSeq } = await chainStart(db);
  let rows = 0;
  for (;;) {
    // Ordered by the table's column, not the text the row is given back as ("10" sorts before "9").
    const page = await db.query<ChainRow>(
      `SELECT l.seq::text AS seq, l.prev_hash, l.hash, service.audit_hash(l.prev_hash, l.at, l.caller_sub, l.nhs_numbers, l.entry) = l.hash AS intact
         FROM service.audit_log l WHERE l.seq > $1 AND l.seq <= $2 ORDER BY l.seq LIMIT $3`,
      [String(previousSeq), head.seq, pageSize],
    );
    for (const row of page) {
      const seq = Number(row.seq);
      const broken = await linkBreak(db, row, seq, previous, previousSeq);
      if (broken) return { rows, broken };
      previous = row.hash;
      previousSeq = seq;
      rows++;
    }
    options.onProgress?.(rows);
    if (page.length < pageSize) break;
  }
  return { rows, broken: await endBreak(db, head, headSeq, previous, previousSeq) };
}

function getValidPageSize(pageSize: number | undefined): number {
  if (pageSize === undefined) return 10_000;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new TypeError(`pageSize must be a positive integer; got ${String(pageSize)}`);
  return pageSize;
}

/**
 * Where the walk starts: the empty chain's origin, or, after a purge, the row
 * the purge says it stopped at; the purge's own row, further on and itself
 * intact, vouches for it.
 */
async function chainStart(db: Database): Promise<{ previous: string; previousSeq: number }> {
  const [first] = await db.query<{ seq: string; prev_hash: string }>('SELECT l.seq::text AS seq, l.prev_hash FROM service.audit_log l ORDER BY l.seq LIMIT 1');
  if (!first || Number(first.seq) === 1) return { previous: ORIGIN, previousSeq: 0 };
  const [anchor] = await db.query<{ found: number }>(
    `SELECT 1 AS found FROM service.audit_log l
      WHERE l.entry LIKE '{"kind":"purge"%' AND (l.entry::jsonb->>'purgedThrough')::bigint = $1::bigint AND l.entry::jsonb->>'lastHash' = $2
        AND service.audit_hash(l.prev_hash, l.at, l.caller_sub, l.nhs_numbers, l.entry) = l.hash
      LIMIT 1`,
    [String(Number(first.seq) - 1), first.prev_hash],
  );
  return anchor ? { previous: first.prev_hash, previousSeq: Number(first.seq) - 1 } : { previous: ORIGIN, previousSeq: 0 };
}

async function linkBreak(db: Database, row: ChainRow, seq: number, previous: string, previousSeq: number): Promise<AuditBreak | null> {
  if (!row.intact) return { seq, kind: 'edited', detail: `row ${seq} does not match its hash: its contents or its hash were changed` };
  if (row.prev_hash !== previous) {
    // Only at a break: whether the row it links to is still in the log, elsewhere.
    const [elsewhere] = await db.query<{ found: number }>('SELECT 1 AS found FROM service.audit_log WHERE hash = $1 LIMIT 1', [row.prev_hash]);
    if (elsewhere) return { seq, kind: 'reordered', detail: `row ${seq} follows a row that is elsewhere in the log: rows were moved` };
    return { seq, kind: 'deleted', detail: `the row before ${seq} is missing${seq - previousSeq > 1 ? ` (rows ${previousSeq + 1}–${seq - 1})` : ''}` };
  }
  if (seq !== previousSeq + 1) return { seq, kind: 'edited', detail: `row ${seq} should be numbered ${previousSeq + 1}` };
  return null;
}

/** The head names the newest row appended: rows deleted from the end leave it pointing past the log, rows added beside it lie beyond it. */
async function endBreak(db: Database, head: { seq: string; hash: string }, headSeq: number, previous: string, previousSeq: number): Promise<AuditBreak | null> {
  if (headSeq > previousSeq) {
    return {
      seq: previousSeq + 1,
      kind: 'deleted',
      detail: `the newest rows are missing: the chain's head records row ${headSeq}, the log ends at ${previousSeq}${headSeq - previousSeq > 1 ? ` (rows ${previousSeq + 1}–${headSeq})` : ''}`,
    };
  }
  if (head.hash !== previous)
    return { seq: previousSeq, kind: 'edited', detail: `row ${previousSeq} is not the row the chain's head records: its hash was changed` };
  // Rows past the head are either appended since the walk began (the head has moved on to them) or added outside append_audit.
  const [now] = await db.query<{ last: string | null; head: string | null }>(
    'SELECT (SELECT max(seq) FROM service.audit_log)::text AS last, (SELECT seq FROM service.audit_head)::text AS head',
  );
  const last = Number(now?.last ?? 0);
  const current = Number(now?.head ?? headSeq);
  if (last > current) {
    const from = Math.max(current, headSeq) + 1;
    return { seq: from, kind: 'edited', detail: `rows ${from}–${last} were added outside service.append_audit: the chain's head records row ${current}` };
  }
  return null;
}

/**
 * Holds an agency's chain against heads others witnessed (the gateway keeps
 * each head an agency shows it in its own log). A chain rewritten and its
 * hashes recomputed passes verifyAuditChain, but no longer has the hash that
 * was witnessed for a row at or after the first one changed: the first such
 * row is reported, and the rewrite lies between the last witnessed row that
 * still matches and it. A witnessed row no longer in the log passes only if a
 * purge recorded in the chain removed it and it was witnessed longer ago than
 * the agency keeps its log (`retentionDays`, with an hour's grace for the
 * gateway's and the database's clocks): a purge cannot stand in for deleting
 * a row witnessed within the retention period. A purge removes rows older
 * than whole days before its own, so a witnessed row it may remove was
 * always witnessed at least that long ago.
 */
export async function checkWitnessedHeads(
  db: Database,
  witnessed: readonly WitnessedHead[],
  options: { retentionDays: number; now?: Date },
): Promise<{ checked: number; broken: AuditBreak | null }> {
  if (witnessed.length === 0) return { checked: 0, broken: null };
  // Where the log starts and ends, and the last row a purge recorded in the chain removed.
  const [range] = await db.query<{ first: string | null; last: string | null; purged: string | null }>(
    `SELECT min(seq)::text AS first, max(seq)::text AS last,
            (max((entry::jsonb->>'purgedThrough')::bigint) FILTER (WHERE entry LIKE '{"kind":"purge"%'))::text AS purged
       FROM service.audit_log`,
  );
  const first = range?.first == null ? null : Number(range.first);
  const last = Number(range?.last ?? 0);
  const purgedThrough = Number(range?.purged ?? 0);
  const purgeable = (options.now ?? new Date()).getTime() - options.retentionDays * 86_400_000 + 3_600_000;
  const rows = await db.query<{ seq: string; hash: string }>(
    "SELECT seq::text AS seq, hash FROM service.audit_log WHERE seq = ANY(string_to_array($1, ',')::bigint[])",
    [[...new Set(witnessed.map((w) => w.seq))].join(',')],
  );
  const hashAt = new Map(rows.map((r) => [Number(r.seq), r.hash]));
  let checked = 0;
  let lastMatching = 0;
  for (const head of [...witnessed].sort((a, b) => a.seq - b.seq)) {
    if (first !== null && head.seq < first) {
      if (head.seq <= purgedThrough && Date.parse(head.at) < purgeable) continue;
      const why =
        head.seq <= purgedThrough
          ? `a purge removed it although it was witnessed within the ${options.retentionDays} days the log is kept`
          : 'no purge recorded in the chain removed it';
      return { checked, broken: { seq: head.seq, kind: 'deleted', detail: `row ${head.seq}, witnessed (${head.where}, ${head.at}), is missing: ${why}` } };
    }
    const found = hashAt.get(head.seq);
    if (found === undefined) {
      const detail =
        head.seq > last
          ? `row ${head.seq}, witnessed (${head.where}, ${head.at}), is missing: the log ends at ${last}, so its newest rows were deleted`
          : `row ${head.seq}, witnessed (${head.where}, ${head.at}), is missing`;
      return { checked, broken: { seq: head.seq, kind: 'deleted', detail } };
    }
    if (found !== head.hash) {
      return {
        checked,
        broken: {
          seq: head.seq,
          kind: 'rewritten',
          detail: `row ${head.seq} no longer has the hash witnessed (${head.where}, ${head.at}): ${lastMatching > 0 ? `a row from ${lastMatching + 1} to ${head.seq}` : `row ${head.seq} or one before it`} was changed and the hashes after it recomputed`,
        },
      };
    }
    checked++;
    lastMatching = head.seq;
  }
  return { checked, broken: null };
}
