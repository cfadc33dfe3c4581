import {
  accessEntriesPage,
  appendAudit,
  auditRowsForChild,
  compareCursors,
  migrateAudit,
  openAgencyDatabase,
  purgeAudit,
  verifyAuditChain,
  type AccessCursor,
  type AgencyDatabase,
  type AuditEntry,
} from '../../shared';
import { syntheticNhsNumbers } from '../../synthetic';
import { backends, createTestDatabase } from '../start-federation';

/**
 * The accountability tools on a log as long as a busy agency's: more than
 * 10,000 rows, so that row numbers cross 10, 100, 1,000 and 10,000, with
 * caseload rows naming 500 children among single views. A chain of a few rows
 * cannot show a fault that orders "10" before "9".
 */
const ROWS = 10_050;
const CASELOAD_EVERY = 97;
const AMELIA = '9990000018';
const ALL_TIME = { since: '2000-01-01T00:00:00Z', until: '' };

const numbers = syntheticNhsNumbers();
const others = Array.from({ length: 2_000 }, () => numbers.next().value as string).filter((n) => n !== AMELIA);

/** Row n (from 1): every third names Amelia; a caseload row every CASELOAD_EVERY rows names her among 500. */
function entryFor(n: number): AuditEntry {
  const caseload = n % CASELOAD_EVERY === 0;
  const named = caseload ? [...others.slice(0, 250), AMELIA, ...others.slice(250, 499)] : [n % 3 === 0 ? AMELIA : others[n % others.length]!];
  return {
    traceId: `trace-${n}`,
    caller: { sub: n % 2 ? 'sw.jones' : 'gp.smith', name: 'Someone', roles: ['social-worker'], org: 'NS001', orgType: 'local-authority' },
    purpose: 'safeguarding',
    breakGlass: null,
    operation: { type: 'query', name: `Op${n}` },
    children: named.map((nhsNumber) => ({ nhsNumber, localReference: null, disclosed: ['socialCare.status'], denied: [] })),
    basis: { policies: ['socialcare:status'], lawfulBasis: 'safeguarding children (DPA 2018 Sch 1 para 18)' },
  };
}
const ameliaRows = Array.from({ length: ROWS }, (_, i) => i + 1).filter((n) => n % 3 === 0 || n % CASELOAD_EVERY === 0);

describe.each(backends)('the audit log at length on %s', (backend) => {
  let database: AgencyDatabase;
  const cleanups: (() => Promise<void>)[] = [];
  const owner = () => database.owner;
  const tamper = (sql: string) => owner().exec(sql);

  beforeAll(async () => {
    const url = backend === 'postgres' ? await createTestDatabase('longchain', cleanups) : undefined;
    database = await openAgencyDatabase({ url });
    await migrateAudit(owner());
    // Appended in batches of 50, as group commit does under load.
    for (let n = 1; n <= ROWS; n += 50) {
      await appendAudit(
        owner(),
        Array.from({ length: Math.min(50, ROWS - n + 1) }, (_, i) => entryFor(n + i)),
      );
    }
  }, 300_000);
  afterAll(async () => {
    await database?.close();
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('verifies a chain of more than 10,000 rows as intact, a page at a time, whatever the page size', async () => {
    const progress: number[] = [];
    expect(await verifyAuditChain(owner(), { onProgress: (n) => progress.push(n) })).toEqual({ rows: ROWS, broken: null });
    expect(progress.at(-1)).toBe(ROWS);
    expect(await verifyAuditChain(owner(), { pageSize: 997 })).toEqual({ rows: ROWS, broken: null });
  });

  it.each([9, 10, 11, 99, 100, 101, 999, 1_000, 1_001, 9_999, 10_000, 10_001])('finds row %i edited, and only there', async (seq) => {
    await tamper(`UPDATE service.audit_log SET entry = replace(entry, '"safeguarding"', '"direct-care"') WHERE seq = ${seq}`);
    try {
      expect((await verifyAuditChain(owner(), { pageSize: 1_000 })).broken).toMatchObject({ seq, kind: 'edited' });
    } finally {
      await tamper(`UPDATE service.audit_log SET entry = replace(entry, '"direct-care"', '"safeguarding"') WHERE seq = ${seq}`);
    }
    expect((await verifyAuditChain(owner())).broken).toBeNull();
  });

  it('finds rows 1,000 and 1,001 swapped as reordered, at 1,000', async () => {
    const swap =
      'UPDATE service.audit_log SET seq = -seq WHERE seq IN (1000, 1001); UPDATE service.audit_log SET seq = 1001 WHERE seq = -1000; UPDATE service.audit_log SET seq = 1000 WHERE seq = -1001';
    await tamper(swap);
    try {
      expect((await verifyAuditChain(owner())).broken).toMatchObject({ seq: 1_000, kind: 'reordered' });
    } finally {
      await tamper(swap);
    }
  });

  it("exports a child's rows in chain order, page by page, each row once", async () => {
    const seen: number[] = [];
    let after = 0;
    for (let pages = 0; pages < 100; pages++) {
      const { rows, next } = await auditRowsForChild(owner(), AMELIA, { ...ALL_TIME, first: 700, after });
      seen.push(...rows.map((r) => r.seq));
      expect(rows.every((r) => r.intact && r.entry.children.length === 1 && r.entry.children[0]!.nhsNumber === AMELIA)).toBe(true);
      if (next === null) break;
      after = next;
    }
    expect(seen).toEqual(ameliaRows);
    const caseload = (await auditRowsForChild(owner(), AMELIA, { ...ALL_TIME, first: 100, after: CASELOAD_EVERY * 10 - 1 })).rows[0]!;
    expect(caseload).toMatchObject({ seq: CASELOAD_EVERY * 10, entry: { otherChildren: 499, traceId: `trace-${CASELOAD_EVERY * 10}` } });
  });

  it("gives a child's access entries in the timeline's order, page by page, each once, with LIMIT in SQL", async () => {
    const seen: AccessCursor[] = [];
    let after: AccessCursor | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const page: Awaited<ReturnType<typeof accessEntriesPage>> = await accessEntriesPage(
        owner(),
        'socialcare',
        { child: AMELIA },
        { ...ALL_TIME, first: 500, after },
      );
      seen.push(...page.map((e) => e.cursor));
      expect(page.every((e) => e.child.nhsNumber === AMELIA)).toBe(true);
      if (page.length < 500) break;
      after = page.at(-1)!.cursor;
    }
    expect(seen.map((c) => c.seq)).toEqual(ameliaRows);
    for (let i = 1; i < seen.length; i++) expect(compareCursors(seen[i - 1]!, seen[i]!)).toBeLessThan(0);
  });

  it("pages a caller's history through caseload rows, each of their 500 children once", async () => {
    // gp.smith caused the even rows; the caseload rows among them (every 194th) name 500 children each.
    const first = 200;
    const wanted = Array.from({ length: 2 * CASELOAD_EVERY + 1 }, (_, i) => i + 1)
      .filter((n) => n % 2 === 0)
      .flatMap((n) => entryFor(n).children.map((c, i) => `${n}:${i + 1}:${c.nhsNumber}`));
    const seen: string[] = [];
    let after: AccessCursor | null = null;
    while (seen.length < wanted.length) {
      const page: Awaited<ReturnType<typeof accessEntriesPage>> = await accessEntriesPage(
        owner(),
        'socialcare',
        { caller: 'gp.smith' },
        { ...ALL_TIME, first, after },
      );
      expect(page).toHaveLength(first);
      seen.push(...page.map((e) => `${e.cursor.seq}:${e.cursor.ord}:${e.child.nhsNumber}`));
      after = page.at(-1)!.cursor;
    }
    expect(seen.slice(0, wanted.length)).toEqual(wanted);
  });

  it('purges thousands of rows and still verifies from where the purge stopped', async () => {
    // The first 5,000 rows are made ten days old, and the chain relinked, as if written then.
    await tamper(`UPDATE service.audit_log SET at = at - interval '10 days' WHERE seq <= 5000`);
    await tamper(`DO $$ DECLARE r record; prev text := repeat('0', 64); h text; BEGIN
      FOR r IN SELECT seq, at, caller_sub, nhs_numbers, entry FROM service.audit_log ORDER BY seq LOOP
        h := service.audit_hash(prev, r.at, r.caller_sub, r.nhs_numbers, r.entry);
        UPDATE service.audit_log SET prev_hash = prev, hash = h WHERE seq = r.seq;
        prev := h;
      END LOOP;
      UPDATE service.audit_head SET hash = prev; END $$`);
    expect(await verifyAuditChain(owner())).toEqual({ rows: ROWS, broken: null });
    expect(await purgeAudit(owner(), 5)).toEqual({ purged: 5_000, through: 5_000 });
    expect(await verifyAuditChain(owner(), { pageSize: 333 })).toEqual({ rows: ROWS - 5_000 + 1, broken: null });
    const { rows } = await auditRowsForChild(owner(), AMELIA, { ...ALL_TIME, first: 1 });
    expect(rows[0]!.seq).toBe(ameliaRows.find((n) => n > 5_000));
  });
});
