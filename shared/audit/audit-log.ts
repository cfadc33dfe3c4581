import { join } from 'node:path';
import { migrate, type Database } from '../database';
import type { AuditEntry, ChildDisclosure } from './disclosures';

/** The subgraph kit's own migrations (the audit log), applied to every agency's database. */
export const AUDIT_MIGRATIONS_DIR = join(__dirname, 'migrations');

export function migrateAudit(db: Database): Promise<string[]> {
  return migrate(db, AUDIT_MIGRATIONS_DIR, 'kit');
}

/**
 * Entries travel to the database as one text, separated by a character that
 * JSON.stringify never writes unescaped, so a caseload's entry is sent as it
 * is rather than quoted element by element as a text[] literal.
 */
const ENTRY_SEPARATOR = '\x1e';

/**
 * An entry as it is kept: the children of one response mostly share what they
 * were given, so each distinct combination of fields disclosed and denied is
 * written once (`shapes`) and each child names its shape: `[nhsNumber,
 * localReference, shape]`. A 500-child caseload's entry is then a few KB, not
 * a few hundred. The view `service.audit_entry` gives it back whole.
 */
function storedEntry(entry: AuditEntry): string {
  const { children } = entry;
  const shapes: Pick<ChildDisclosure, 'disclosed' | 'denied'>[] = [];
  const shapeIndex = new Map<string, number>();
  // Children given the same fields mostly share one array of them (the plugin's shapes): its index is found by the array first.
  const indexOfArray = new Map<readonly string[], number>();
  const compact = children.map((child) => {
    let index = child.denied.length === 0 ? indexOfArray.get(child.disclosed) : undefined;
    if (index === undefined) {
      const key = child.denied.length === 0 ? child.disclosed.join('\n') : `${child.disclosed.join('\n')}\n\n${JSON.stringify(child.denied)}`;
      index = shapeIndex.get(key);
      if (index === undefined) {
        shapeIndex.set(key, (index = shapes.length));
        shapes.push({ disclosed: child.disclosed, denied: child.denied });
      }
      if (child.denied.length === 0) indexOfArray.set(child.disclosed, index);
    }
    return [child.nhsNumber, child.localReference, index];
  });
  // Written field by field, in the order AuditEntry declares them (a rest spread of the entry costs more than the JSON itself).
  const { traceId, caller, purpose, breakGlass, operation, basis, at } = entry;
  return JSON.stringify({ traceId, caller, purpose, breakGlass, operation, basis, at, shapes, children: compact });
}

const isAuditEntry = (e: AuditEntry | Record<string, unknown>): e is AuditEntry => Array.isArray((e as AuditEntry).children);

/** Where an agency's chain stands: the number and hash of its newest row. */
export interface AuditHead {
  seq: number;
  hash: string;
}

/**
 * The response extension in which a subgraph shows the gateway its chain's head once the
 * response's rows are appended; the gateway keeps it in its own log as a witness.
 */
export const AUDIT_HEAD_EXTENSION = 'auditHead';

/**
 * Appends entries (or the chain's own records, such as a purge) to the agency's hash chain in one statement,
 * serialised inside the database, and answers the chain's new head.
 */
export async function appendAudit(db: Database, entries: readonly (AuditEntry | Record<string, unknown>)[]): Promise<AuditHead | null> {
  if (entries.length === 0) return null;
  const [head] = await db.query<{ seq: string; hash: string }>(
    `SELECT head_seq::text AS seq, head_hash AS hash FROM service.append_audit($1::text[], $2::text[], string_to_array($3::text, E'\\x1e'))`,
    [
      entries.map((e) => (e as { caller?: { sub: string } }).caller?.sub ?? null),
      entries.map((e) => (isAuditEntry(e) ? e.children.flatMap((c) => (c.nhsNumber === null ? [] : [c.nhsNumber])).join(',') : '')),
      entries.map((e) => (isAuditEntry(e) ? storedEntry(e) : JSON.stringify(e))).join(ENTRY_SEPARATOR),
    ],
    { prepare: true },
  );
  if (!head) throw new Error('service.append_audit answered no head');
  return { seq: Number(head.seq), hash: head.hash };
}

/**
 * Group commit for the audit log: while one append is committing, the entries
 * of every response that arrives are gathered, and appended together as soon
 * as it is done, in one statement and one commit. Each response still waits
 * for its own entries to be committed (or to fail) before it leaves, so
 * nothing is disclosed unrecorded; only the cost of a commit is shared. Each
 * learns the chain's head after its batch, which links back to its own rows.
 */
export function createAuditWriter(db: Database): (entries: readonly AuditEntry[]) => Promise<AuditHead | null> {
  let inFlight: Promise<void> | null = null;
  let waiting: { entries: AuditEntry[]; done: Promise<AuditHead | null>; settle: (head: AuditHead | null, error?: Error) => void } | null = null;
  const flush = (): Promise<AuditHead | null> => {
    const batch = waiting!;
    waiting = null;
    inFlight = appendAudit(db, batch.entries)
      .then(
        (head) => batch.settle(head),
        (error: Error | undefined) => batch.settle(null, error ?? new Error('audit append failed')),
      )
      .finally(() => {
        inFlight = null;
        if (waiting) void flush();
      });
    return batch.done;
  };
  return (entries) => {
    if (entries.length === 0) return Promise.resolve(null);
    if (!waiting) {
      let settle!: (head: AuditHead | null, error?: Error) => void;
      const done = new Promise<AuditHead | null>((resolve, reject) => {
        settle = (head, error) => (error ? reject(error) : resolve(head));
      });
      waiting = { entries: [], done, settle };
    }
    waiting.entries.push(...entries);
    const done = waiting.done;
    if (!inFlight) void flush();
    return done;
  };
}

/**
 * Retention: deletes the rows of whole days before `keepDays` ago (as the
 * database's owner; the service role may not delete) and records the purge in
 * the chain, with the last purged row's hash, so that verification starts from
 * there. One transaction.
 */
export async function purgeAudit(owner: Database, keepDays: number): Promise<{ purged: number; through: number | null }> {
  await owner.exec('BEGIN');
  try {
    await owner.query('SELECT pg_advisory_xact_lock(7310002)');
    // The newest row before the cutoff, found from the end by the key, and the rows it closes (not an aggregate over every hash).
    const [last] = await owner.query<{ seq: string; hash: string; n: string; before: string }>(
      `WITH cutoff AS (SELECT (current_date - $1::int) AS before),
            newest AS (SELECT l.seq, l.hash FROM service.audit_log l WHERE l.at < (SELECT before FROM cutoff) ORDER BY l.seq DESC LIMIT 1)
       SELECT newest.seq::text AS seq, newest.hash, (SELECT count(*) FROM service.audit_log WHERE seq <= newest.seq)::text AS n, (SELECT before FROM cutoff)::text AS before
         FROM newest`,
      [keepDays],
    );
    const through = last?.seq ? Number(last.seq) : null;
    if (through !== null) {
      // The purge is recorded at the end of the chain first, then the rows go.
      await appendAudit(owner, [{ kind: 'purge', purgedThrough: through, lastHash: last!.hash, rows: Number(last!.n), before: last!.before, keepDays }]);
      await owner.query('DELETE FROM service.audit_log WHERE seq <= $1', [through]);
    }
    await owner.exec('COMMIT');
    return { purged: through === null ? 0 : Number(last!.n), through };
  } catch (error) {
    await owner.exec('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
