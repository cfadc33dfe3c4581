import {
  appendAudit,
  auditRowsForChild,
  checkWitnessedHeads,
  ensureServiceRole,
  purgeAudit,
  migrateAudit,
  openAgencyDatabase,
  verifyAuditChain,
  type AgencyDatabase,
  type AuditEntry,
  type Database,
} from '../../shared';
import { backends, createTestDatabase } from '../start-federation';

const entry = (n: number): AuditEntry => ({
  traceId: `trace-${n}`,
  caller: { sub: 'sw.jones', name: 'Sam Jones', roles: ['social-worker'], org: 'NS001', orgType: 'local-authority' },
  purpose: 'safeguarding',
  breakGlass: null,
  operation: { type: 'query', name: null },
  children: [{ nhsNumber: '9990000018', localReference: null, disclosed: [`field${n}`], denied: [] }],
  basis: { policies: ['socialcare:status'], lawfulBasis: 'safeguarding children (DPA 2018 Sch 1 para 18)' },
});

describe.each(backends)('the audit hash chain on %s', (backend) => {
  let database: AgencyDatabase;
  let served: Database;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    const url = backend === 'postgres' ? await createTestDatabase('audit', cleanups) : undefined;
    database = await openAgencyDatabase({ url });
    await database.owner.exec('CREATE SCHEMA IF NOT EXISTS records');
    await migrateAudit(database.owner);
    await ensureServiceRole(database.owner, 'audit_test_service');
    served = await database.asRole('audit_test_service');
    // Five appends, the last of two entries: six rows.
    for (let i = 1; i <= 4; i++) await appendAudit(served, [entry(i)]);
    await appendAudit(served, [entry(5), entry(6)]);
  });
  afterEach(async () => {
    await database.close();
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  // On PGlite the one connection runs as the service role once served; tampering goes through it as the owner would.
  const tamper = (sql: string) => (backend === 'pglite' ? database.owner.exec(`RESET ROLE; ${sql}; SET ROLE audit_test_service`) : database.owner.exec(sql));

  it('links every row to the one before, with a time stamped by the database', async () => {
    expect(await verifyAuditChain(served)).toEqual({ rows: 6, broken: null });
    const rows = await served.query<{ seq: string; entry: AuditEntry }>('SELECT seq::text AS seq, entry FROM service.audit_entry ORDER BY seq');
    expect(rows.map((r) => r.entry.traceId)).toEqual(['trace-1', 'trace-2', 'trace-3', 'trace-4', 'trace-5', 'trace-6']);
    expect(rows[0]!.entry.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  });

  it('is append-only for the service role, and only through service.append_audit', async () => {
    await expect(served.query("UPDATE service.audit_log SET entry = '{}' WHERE seq = 1")).rejects.toThrow(/permission denied/);
    await expect(served.query('DELETE FROM service.audit_log WHERE seq = 1')).rejects.toThrow(/permission denied/);
    // A row of its own making (its own time, its own link), or a head moved by hand, is refused.
    await expect(
      served.query(`INSERT INTO service.audit_log (seq, at, caller_sub, nhs_numbers, entry, prev_hash, hash)
      SELECT seq + 1, now() - interval '1 day', 'someone', '{}', '{}', hash, repeat('0', 64) FROM service.audit_head`),
    ).rejects.toThrow(/permission denied/);
    await expect(served.query('UPDATE service.audit_head SET seq = seq + 1')).rejects.toThrow(/permission denied/);
    // Through the function, still: a seventh row, linked to the sixth.
    expect(await appendAudit(served, [entry(7)])).toMatchObject({ seq: 7 });
    expect(await verifyAuditChain(served)).toEqual({ rows: 7, broken: null });
  });

  it('finds an edited row', async () => {
    await tamper(`UPDATE service.audit_log SET entry = replace(entry, '"safeguarding"', '"direct-care"') WHERE seq = 3`);
    expect((await verifyAuditChain(served)).broken).toMatchObject({ seq: 3, kind: 'edited' });
  });

  it('finds a row edited together with its hash, at the row after it', async () => {
    await tamper(`UPDATE service.audit_log SET entry = replace(entry, '"safeguarding"', '"direct-care"') WHERE seq = 3;
      UPDATE service.audit_log SET hash = service.audit_hash(prev_hash, at, caller_sub, nhs_numbers, entry) WHERE seq = 3`);
    expect((await verifyAuditChain(served)).broken).toMatchObject({ seq: 4, kind: 'deleted' });
  });

  it('finds a deleted row', async () => {
    await tamper('DELETE FROM service.audit_log WHERE seq = 4');
    expect((await verifyAuditChain(served)).broken).toMatchObject({ seq: 5, kind: 'deleted' });
  });

  it("finds the newest rows deleted, by the chain's head", async () => {
    await tamper('DELETE FROM service.audit_log WHERE seq >= 5');
    expect((await verifyAuditChain(served)).broken).toMatchObject({ seq: 5, kind: 'deleted', detail: expect.stringContaining('rows 5–6') });
  });

  it('answers the new head from each append, and finds the newest rows deleted with the head moved back, against a witnessed head', async () => {
    const head = await appendAudit(served, [entry(7)]);
    const [newest] = await served.query<{ seq: string; hash: string }>('SELECT seq::text AS seq, hash FROM service.audit_log ORDER BY seq DESC LIMIT 1');
    expect(head).toEqual({ seq: 7, hash: newest!.hash });
    const witnessed = [{ ...head!, at: '2026-11-26T10:00:00Z', where: 'a gateway log line 1' }];
    expect(await checkWitnessedHeads(served, witnessed, { retentionDays: 30 })).toEqual({ checked: 1, broken: null });
    await tamper(
      `DELETE FROM service.audit_log WHERE seq >= 6; UPDATE service.audit_head SET seq = 5, hash = (SELECT hash FROM service.audit_log WHERE seq = 5)`,
    );
    expect(await verifyAuditChain(served)).toEqual({ rows: 5, broken: null });
    expect((await checkWitnessedHeads(served, witnessed, { retentionDays: 30 })).broken).toMatchObject({
      seq: 7,
      kind: 'deleted',
      detail: expect.stringContaining('the log ends at 5'),
    });
  });

  it("finds the newest row edited together with its hash, by the chain's head", async () => {
    await tamper(`UPDATE service.audit_log SET entry = replace(entry, '"safeguarding"', '"direct-care"') WHERE seq = 6;
      UPDATE service.audit_log SET hash = service.audit_hash(prev_hash, at, caller_sub, nhs_numbers, entry) WHERE seq = 6`);
    expect((await verifyAuditChain(served)).broken).toMatchObject({ seq: 6, kind: 'edited', detail: expect.stringContaining('head') });
  });

  it('finds a row added outside append_audit, and then refuses to append (nothing disclosed unrecorded)', async () => {
    await tamper(`INSERT INTO service.audit_log (seq, at, caller_sub, nhs_numbers, entry, prev_hash, hash)
      SELECT 7, now(), 'sw.jones', '{}', '{}', hash, service.audit_hash(hash, now(), 'sw.jones', '{}', '{}') FROM service.audit_log WHERE seq = 6`);
    expect((await verifyAuditChain(served)).broken).toMatchObject({ seq: 7, kind: 'edited' });
    await expect(appendAudit(served, [entry(8)])).rejects.toThrow(/duplicate key/);
  });

  it("refuses to append without the chain's head", async () => {
    await expect(served.query('DELETE FROM service.audit_head')).rejects.toThrow(/permission denied/);
    await tamper('DELETE FROM service.audit_head');
    await expect(appendAudit(served, [entry(7)])).rejects.toThrow(/no head/);
    expect((await verifyAuditChain(served)).broken).toMatchObject({ kind: 'deleted' });
  });

  it('finds reordered rows', async () => {
    await tamper(
      'UPDATE service.audit_log SET seq = -seq WHERE seq IN (2, 3); UPDATE service.audit_log SET seq = 3 WHERE seq = -2; UPDATE service.audit_log SET seq = 2 WHERE seq = -3',
    );
    expect((await verifyAuditChain(served)).broken).toMatchObject({ seq: 2, kind: 'reordered' });
  });

  it('purges whole days and records the purge, so that the chain still verifies from there', async () => {
    // Nothing is old enough at eight years; everything is before tomorrow.
    const owner = backend === 'pglite' ? null : database.owner;
    const purge = async (days: number) => {
      if (owner) return purgeAudit(owner, days);
      await database.owner.exec('RESET ROLE');
      try {
        return await purgeAudit(database.owner, days);
      } finally {
        await database.owner.exec('SET ROLE audit_test_service');
      }
    };
    expect(await purge(2922)).toEqual({ purged: 0, through: null });
    const [row4] = await served.query<{ hash: string }>('SELECT hash FROM service.audit_log WHERE seq = 4');
    expect(await purge(-1)).toEqual({ purged: 6, through: 6 });
    await appendAudit(served, [entry(7)]);
    expect(await verifyAuditChain(served)).toEqual({ rows: 2, broken: null });
    // A purged row witnessed longer ago than the log is kept is not held to its witness; one witnessed within it is.
    const witnessedAt = (daysAgo: number) => [
      { seq: 4, hash: row4!.hash, at: new Date(Date.now() - daysAgo * 86_400_000).toISOString(), where: 'a gateway log line 1' },
    ];
    expect(await checkWitnessedHeads(served, witnessedAt(40), { retentionDays: 30 })).toEqual({ checked: 0, broken: null });
    expect((await checkWitnessedHeads(served, witnessedAt(2), { retentionDays: 30 })).broken).toMatchObject({
      seq: 4,
      kind: 'deleted',
      detail: expect.stringContaining('within the 30 days'),
    });
    const [purgeRow] = await served.query<{ entry: { kind: string; rows: number } }>('SELECT entry FROM service.audit_entry WHERE seq = 7');
    expect(purgeRow!.entry).toMatchObject({ kind: 'purge', rows: 6 });
    await tamper('DELETE FROM service.audit_log WHERE seq = 7');
    expect((await verifyAuditChain(served)).broken).toMatchObject({ seq: 8, kind: 'deleted' });
    expect((await checkWitnessedHeads(served, witnessedAt(40), { retentionDays: 30 })).broken).toMatchObject({
      seq: 4,
      kind: 'deleted',
      detail: expect.stringContaining('no purge'),
    });
  });

  it('keeps a many-child entry compact, and gives each child back whole; an export names only its own child', async () => {
    const many: AuditEntry = {
      ...entry(7),
      children: Array.from({ length: 300 }, (_, i) => ({
        nhsNumber: `99900${String(i).padStart(5, '0')}`,
        localReference: i % 2 ? `TEN-${i}` : null,
        disclosed: i % 100 === 7 ? ['education.attendanceRate'] : ['education.attendanceRate', 'education.school.name'],
        denied: i % 100 === 7 ? [{ field: 'education.school', policy: 'education:school', reason: 'restricted' }] : [],
      })),
    };
    await appendAudit(served, [many]);
    const [stored] = await served.query<{ entry: string }>('SELECT entry FROM service.audit_log WHERE seq = 7');
    // Two shapes, each written once.
    expect(stored!.entry.match(/education\.school\.name/g)).toHaveLength(1);
    expect(stored!.entry.length).toBeLessThan(JSON.stringify(many).length / 3);
    const [read] = await served.query<{ entry: AuditEntry }>('SELECT entry FROM service.audit_entry WHERE seq = 7');
    const { at, ...whole } = read!.entry;
    expect(at).toBeDefined();
    expect(whole).toEqual(many);
    expect(await verifyAuditChain(served)).toEqual({ rows: 7, broken: null });
    const { rows: exported, next } = await auditRowsForChild(served, '9990000107');
    expect(next).toBeNull();
    expect(exported).toHaveLength(1);
    expect(exported[0]!.entry.children).toEqual([many.children[107]]);
    expect(exported[0]!.entry.otherChildren).toBe(299);
  });
});
