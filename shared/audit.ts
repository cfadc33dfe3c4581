import { join } from 'node:path';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { Kind, valueFromASTUntyped, type GraphQLFormattedError } from 'graphql';
import type { Authority } from './authority';
import type { Database } from './database';
import { ErrorCode } from './errors';
import type { Logger } from './logger';
import { migrate } from './migrate';
import type { PolicyMap } from './policy-map';

/** The subgraph kit's own migrations (the audit log), applied to every agency's database. */
export const AUDIT_MIGRATIONS_DIR = join(__dirname, 'audit-migrations');

export function migrateAudit(db: Database): Promise<string[]> {
  return migrate(db, AUDIT_MIGRATIONS_DIR, 'kit');
}

/** What one request was given about one child. */
export interface ChildDisclosure {
  nhsNumber: string;
  /** The agency's own reference for the record, where it keys records otherwise (housing). */
  localReference: string | null;
  /** Fields given, as paths below the child (`socialCare.allocatedWorker.name`); lists are crossed. */
  disclosed: string[];
  /** Fields withheld, with the policy and the reason. */
  denied: { field: string; policy: string; reason: string }[];
}

/** One disclosure: what one request was given by this agency, child by child. */
export interface AuditEntry {
  traceId: string;
  caller: { sub: string; name: string; roles: string[]; org: string; orgType: string };
  purpose: string;
  /** The break-glass justification, when the request declared an emergency. */
  breakGlass: string | null;
  /** `query` or `mutation`, and its name when it has one. */
  operation: { type: string; name: string | null };
  /** Each child the response was about. */
  children: ChildDisclosure[];
  /** Why the disclosure was lawful: the policies that allowed the children's fields, and the purpose. */
  basis: { policies: string[]; lawfulBasis: string };
  /** Set by the database as the row is appended. */
  at?: string;
}

/** A child the response is about, at a response path; registered by resolvers and by `_entities`. */
export interface AuditCollector {
  child(path: readonly (string | number)[], nhsNumber: string, localReference?: string | null): void;
}

interface Collected { path: readonly (string | number)[]; nhsNumber: string; localReference: string | null }

export function createAuditCollector(): AuditCollector & { collected: Map<string, Collected> } {
  const collected = new Map<string, Collected>();
  return {
    collected,
    child(path, nhsNumber, localReference = null) {
      const key = path.join('.');
      const existing = collected.get(key);
      collected.set(key, { path, nhsNumber, localReference: localReference ?? existing?.localReference ?? null });
    },
  };
}

/** Appends entries to the agency's hash chain in one statement (serialised inside the database). */
export async function appendAudit(db: Database, entries: readonly (AuditEntry | Record<string, unknown>)[]): Promise<void> {
  if (entries.length === 0) return;
  await db.query('SELECT service.append_audit($1::text[], $2::text[], $3::text[])', [
    entries.map((e) => (e as { caller?: { sub: string } }).caller?.sub ?? null),
    entries.map((e) => ((e as { children?: ChildDisclosure[] }).children ?? []).map((c) => c.nhsNumber).join(',')),
    entries.map((e) => JSON.stringify(e)),
  ]);
}

/**
 * Group commit for the audit log: while one append is committing, the entries
 * of every response that arrives are gathered, and appended together as soon
 * as it is done, in one statement and one commit. Each response still waits
 * for its own entries to be committed (or to fail) before it leaves, so
 * nothing is disclosed unrecorded; only the cost of a commit is shared.
 */
export function createAuditWriter(db: Database): (entries: readonly AuditEntry[]) => Promise<void> {
  let inFlight: Promise<void> | null = null;
  let waiting: { entries: AuditEntry[]; done: Promise<void>; settle: (error?: unknown) => void } | null = null;
  const flush = (): Promise<void> => {
    const batch = waiting!;
    waiting = null;
    inFlight = appendAudit(db, batch.entries).then(
      () => batch.settle(),
      (error) => batch.settle(error ?? new Error('audit append failed')),
    ).finally(() => {
      inFlight = null;
      if (waiting) void flush();
    });
    return batch.done;
  };
  return (entries) => {
    if (entries.length === 0) return Promise.resolve();
    if (!waiting) {
      let settle!: (error?: unknown) => void;
      const done = new Promise<void>((resolve, reject) => {
        settle = (error) => (error ? reject(error) : resolve());
      });
      waiting = { entries: [], done, settle };
    }
    waiting.entries.push(...entries);
    const done = waiting.done;
    if (!inFlight) void flush();
    return done;
  };
}

export function auditUnavailable(): GraphQLFormattedError {
  return {
    message: 'The disclosure could not be recorded in the agency\'s audit log, so nothing is disclosed.',
    extensions: { code: ErrorCode.AUDIT_UNAVAILABLE },
  };
}

const lawfulBasis = (purpose: string) =>
  ({
    'direct-care': 'direct care (UK GDPR art. 9(2)(h))',
    'emergency-care': 'vital interests in an emergency (UK GDPR art. 9(2)(c))',
    safeguarding: 'safeguarding children (DPA 2018 Sch 1 para 18)',
    audit: 'audit of disclosures',
  })[purpose] ?? purpose;

/**
 * The audit layer, as an Apollo Server plugin: after execution and before the
 * response leaves, one entry per child the response is about (registered in
 * `context.audit`, and every `_entities` representation) is appended to the
 * agency's chain, with the fields given and those withheld. If the entries
 * cannot be written, the response is replaced by AUDIT_UNAVAILABLE: nothing
 * is disclosed that is not recorded.
 */
export function createAuditPlugin<C extends { authority: Authority | null; audit: AuditCollector }>(options: {
  db: Database;
  logger: Logger;
  policyMap: PolicyMap;
  agency: string;
  /** What the agency does besides auditing once disclosures are recorded (social care notifies the child's local authority). */
  onDisclosed?: (db: Database, entries: readonly AuditEntry[]) => Promise<void>;
}): ApolloServerPlugin<C> {
  const write = createAuditWriter(options.db);
  return {
    async requestDidStart() {
      return {
        async willSendResponse(rc: GraphQLRequestContext<C>) {
          const authority = rc.contextValue.authority;
          const body = rc.response.body;
          if (!authority || !body || body.kind !== 'single' || !rc.operation) return;
          const single = body;
          const collector = rc.contextValue.audit as ReturnType<typeof createAuditCollector>;
          // Every `_entities` representation is a child (whatever its argument is called or written as).
          for (const selection of rc.operation.selectionSet.selections) {
            if (selection.kind !== Kind.FIELD || selection.name.value !== '_entities') continue;
            const argument = selection.arguments?.find((a) => a.name.value === 'representations');
            const representations = argument ? (valueFromASTUntyped(argument.value, rc.request.variables ?? {}) as { nhsNumber?: unknown }[] | null) : null;
            const key = selection.alias?.value ?? '_entities';
            (representations ?? []).forEach((r, i) => typeof r?.nhsNumber === 'string' && collector.child([key, i], r.nhsNumber));
          }
          if (collector.collected.size === 0) return;
          const result = single.singleResult;
          const forbidden = (result.errors ?? []).filter((e) => e.extensions?.code === ErrorCode.FORBIDDEN && e.path);
          const children: ChildDisclosure[] = [];
          const policies = new Set<string>();
          for (const { path, nhsNumber, localReference } of collector.collected.values()) {
            const value = valueAt(result.data, path);
            const disclosed = new Set<string>();
            if (value !== null && value !== undefined) leafPaths(value, '', disclosed);
            const denied = forbidden
              .filter((e) => startsWith(e.path!, path))
              .map((e) => ({ field: fieldPath(e.path!.slice(path.length)), policy: String(e.extensions?.policy ?? ''), reason: String(e.extensions?.reason ?? e.message) }));
            if (disclosed.size === 0 && denied.length === 0) continue;
            for (const field of disclosed) {
              const top = field.split('.')[0]!;
              for (const group of options.policyMap.get(`Child.${top}`) ?? []) for (const p of group) if (p.startsWith(`${options.agency}:`)) policies.add(p);
            }
            children.push({ nhsNumber, localReference, disclosed: [...disclosed].sort(), denied });
          }
          if (children.length === 0) return;
          const entries: AuditEntry[] = [{
            traceId: authority.traceId,
            caller: { sub: authority.caller.sub, name: authority.caller.name, roles: [...authority.caller.roles], org: authority.caller.org, orgType: authority.caller.orgType },
            purpose: authority.purpose,
            breakGlass: authority.breakGlass ?? null,
            operation: { type: rc.operation.operation, name: rc.operationName ?? null },
            children,
            basis: { policies: [...policies].sort(), lawfulBasis: authority.breakGlass ? `break-glass: ${lawfulBasis(authority.purpose)}` : lawfulBasis(authority.purpose) },
          }];
          try {
            await write(entries);
            await options.onDisclosed?.(options.db, entries);
          } catch (error) {
            options.logger.error({ err: error, traceId: authority.traceId }, 'could not write the audit log: nothing disclosed');
            single.singleResult = { data: null, errors: [auditUnavailable()] };
          }
        },
      };
    },
  };
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || value === undefined || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function leafPaths(value: unknown, prefix: string, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) if (item !== null && item !== undefined) leafPaths(item, prefix, out);
    if (value.length === 0 && prefix) out.add(prefix);
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === '__typename' || v === null || v === undefined) continue;
      leafPaths(v, prefix ? `${prefix}.${key}` : key, out);
    }
    return;
  }
  if (prefix) out.add(prefix);
}

const startsWith = (path: readonly (string | number)[], prefix: readonly (string | number)[]) => prefix.every((p, i) => path[i] === p);
const fieldPath = (path: readonly (string | number)[]) => path.filter((p) => typeof p === 'string').join('.');

export type AuditBreak = { seq: number; kind: 'edited' | 'deleted' | 'reordered'; detail: string };

/**
 * Walks the agency's chain in order and reports the first broken link: a row
 * whose hash does not match its contents was edited; a row whose link does not
 * match the row before it follows a deleted row, or, when its link names
 * another row still in the log, was reordered.
 */
export async function verifyAuditChain(db: Database): Promise<{ rows: number; broken: AuditBreak | null }> {
  const rows = await db.query<{ seq: string; prev_hash: string; hash: string; intact: boolean; purge: { purgedThrough: number; lastHash: string } | null }>(
    `SELECT seq::text AS seq, prev_hash, hash, service.audit_hash(prev_hash, at, caller_sub, nhs_numbers, entry) = hash AS intact,
            CASE WHEN entry LIKE '{"kind":"purge"%' THEN entry::jsonb ELSE NULL END AS purge
       FROM service.audit_log ORDER BY seq`,
  );
  const hashes = new Set(rows.map((r) => r.hash));
  let previous = '0'.repeat(64);
  let previousSeq = 0;
  // After a purge the chain starts where the purge says it stopped: the purge's own row, further on, vouches for it.
  const first = rows[0];
  const anchor = first && rows.find((r) => r.intact && r.purge && r.purge.purgedThrough === Number(first.seq) - 1 && r.purge.lastHash === first.prev_hash);
  if (first && anchor) {
    previous = first.prev_hash;
    previousSeq = Number(first.seq) - 1;
  }
  for (const row of rows) {
    const seq = Number(row.seq);
    if (!row.intact) return { rows: rows.length, broken: { seq, kind: 'edited', detail: `row ${seq} does not match its hash: its contents or its hash were changed` } };
    if (row.prev_hash !== previous) {
      if (hashes.has(row.prev_hash)) {
        return { rows: rows.length, broken: { seq, kind: 'reordered', detail: `row ${seq} follows a row that is elsewhere in the log: rows were moved` } };
      }
      return { rows: rows.length, broken: { seq, kind: 'deleted', detail: `the row before ${seq} is missing${seq - previousSeq > 1 ? ` (rows ${previousSeq + 1}–${seq - 1})` : ''}` } };
    }
    if (seq !== previousSeq + 1) return { rows: rows.length, broken: { seq, kind: 'edited', detail: `row ${seq} should be numbered ${previousSeq + 1}` } };
    previous = row.hash;
    previousSeq = seq;
  }
  return { rows: rows.length, broken: null };
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
    const [last] = await owner.query<{ seq: string; hash: string; n: string; before: string }>(
      `WITH cutoff AS (SELECT (current_date - $1::int) AS before)
       SELECT max(seq)::text AS seq, (array_agg(hash ORDER BY seq DESC))[1] AS hash, count(*)::text AS n, (SELECT before FROM cutoff)::text AS before
         FROM service.audit_log WHERE at < (SELECT before FROM cutoff)`,
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

/** A child's rows, for a subject access request: each with its place in the chain, so a recipient can check it. */
export async function auditRowsForChild(db: Database, nhsNumber: string): Promise<{ seq: number; entry: AuditEntry; prevHash: string; hash: string }[]> {
  const rows = await db.query<{ seq: string; entry: AuditEntry; prev_hash: string; hash: string }>(
    'SELECT seq::text AS seq, entry, prev_hash, hash FROM service.audit_entry WHERE nhs_numbers @> ARRAY[$1] ORDER BY seq',
    [nhsNumber],
  );
  return rows.map((r) => ({ seq: Number(r.seq), entry: r.entry, prevHash: r.prev_hash, hash: r.hash }));
}
