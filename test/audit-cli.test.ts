import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { flattenedVerify, importJWK, type JWK } from 'jose';
import { createGatewayAudit } from '../gateway';
import { appendAudit, createLogger, migrateAudit, openAgencyDatabase, type AuditEntry } from '../shared';

const run = promisify(execFile);
const entry = (nhsNumber: string, n: number): AuditEntry => ({
  traceId: `trace-${n}`,
  caller: { sub: 'gp.smith', name: 'Dr Alex Smith', roles: ['gp'], org: 'Y00001', orgType: 'gp-practice' },
  purpose: 'direct-care',
  breakGlass: null,
  operation: { type: 'query', name: null },
  children: [{ nhsNumber, localReference: null, disclosed: ['health.conditions.name'], denied: [] }],
  basis: { policies: ['health:clinical'], lawfulBasis: 'direct care (UK GDPR art. 9(2)(h))' },
});

describe('npm run audit (verify, export)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cv-audit-cli-'));
  const environment = { ...process.env, DATA_DIR: dataDir, HEALTH_DATABASE_URL: '', LOG_LEVEL: 'silent' };
  const cli = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'tools/audit/cli.ts', ...args], { env: environment }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  const withHealth = async (work: (db: Awaited<ReturnType<typeof openAgencyDatabase>>) => Promise<void>) => {
    const database = await openAgencyDatabase({ dataDir: join(dataDir, 'health') });
    try {
      await work(database);
    } finally {
      await database.close();
    }
  };

  beforeAll(async () => {
    await withHealth(async (db) => {
      await migrateAudit(db.owner);
      await appendAudit(db.owner, [entry('9990000018', 1), entry('9990000026', 2), entry('9990000018', 3)]);
    });
  }, 60_000);

  it("exports one child's rows, signed, for a subject access request", async () => {
    const out = join(dataDir, 'export.json');
    const result = await cli('export', '--child', '999 000 0018', '--agency', 'health', '--out', out, '--verify-chain');
    expect(result.code).toBe(0);
    const file = JSON.parse(readFileSync(out, 'utf8'));
    const key = await importJWK(file.verifyWith.keys[0] as JWK, 'ES256');
    const { payload } = await flattenedVerify({ payload: file.payload, protected: file.protected, signature: file.signature }, key);
    const document = JSON.parse(new TextDecoder().decode(payload));
    expect(document).toMatchObject({
      agency: 'health',
      nhsNumber: '9990000018',
      rowsIntact: true,
      chainIntact: true,
      page: { first: 1000, after: 0, next: null },
    });
    expect(document.rows.map((r: { entry: AuditEntry }) => r.entry.traceId)).toEqual(['trace-1', 'trace-3']);
    const bad = await cli('export', '--child', '9990000019', '--agency', 'health');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--child');
  }, 60_000);

  it('verify holds a chain against the heads a gateway witnessed, and finds it rewritten with its hashes recomputed', async () => {
    // The gateway's log, as a gateway keeps it: each line with the heads the agencies showed it since the line before.
    const gatewayLog = join(dataDir, 'gateway.jsonl');
    const gatewayAudit = createGatewayAudit({ path: gatewayLog, logger: createLogger('test', 'silent') });
    let head = { seq: 0, hash: '' };
    await withHealth(async (db) => {
      const [row] = await db.owner.query<{ seq: string; hash: string }>('SELECT seq::text AS seq, hash FROM service.audit_head');
      head = { seq: Number(row!.seq), hash: row!.hash };
    });
    await gatewayAudit.append({
      at: new Date().toISOString(),
      traceId: 'trace-gw',
      caller: { sub: 'gp.smith', name: 'Dr Alex Smith', roles: ['gp'], org: 'Y00001' },
      purpose: 'direct-care',
      breakGlass: null,
      operation: { type: 'query', name: null, hash: 'h' },
      children: [],
      searches: [],
      filtered: [],
      witnessed: { health: { ...head, at: new Date().toISOString() } },
    });
    const held = await cli('verify', '--agency', 'health', '--gateway-log', gatewayLog);
    expect(held).toMatchObject({ code: 0 });
    expect(held.stdout).toContain('health: intact, 3 rows; 1 heads witnessed by the gateway match');
    // Row 2 changed by someone who can write the log, and every hash after it recomputed: the chain still walks.
    await withHealth((db) =>
      db.owner.exec(`DO $$
      DECLARE r record; prev text;
      BEGIN
        SELECT prev_hash INTO prev FROM service.audit_log WHERE seq = 2;
        FOR r IN SELECT seq FROM service.audit_log WHERE seq >= 2 ORDER BY seq LOOP
          UPDATE service.audit_log SET entry = replace(entry, '"trace-2"', '"trace-9"') WHERE seq = r.seq AND seq = 2;
          UPDATE service.audit_log SET prev_hash = prev, hash = service.audit_hash(prev, at, caller_sub, nhs_numbers, entry) WHERE seq = r.seq RETURNING hash INTO prev;
        END LOOP;
        UPDATE service.audit_head SET hash = prev;
      END $$`),
    );
    const alone = await cli('verify', '--agency', 'health');
    expect(alone).toMatchObject({ code: 0 });
    expect(alone.stdout).toContain('health: intact, 3 rows');
    const witnessed = await cli('verify', '--agency', 'health', '--gateway-log', gatewayLog);
    expect(witnessed.code).toBe(1);
    expect(witnessed.stdout).toContain('health: BROKEN at row 3 (rewritten): row 3 no longer has the hash witnessed');
    expect(witnessed.stdout).toContain(`gateway log ${gatewayLog}: intact, 1 lines`);
  }, 60_000);

  it('verify passes an intact chain and fails, naming the row and how, when a row is edited', async () => {
    const intact = await cli('verify', '--agency', 'health');
    expect(intact).toMatchObject({ code: 0 });
    expect(intact.stdout).toContain('health: intact, 3 rows');
    await withHealth((db) => db.owner.exec(`UPDATE service.audit_log SET entry = replace(entry, '"direct-care"', '"safeguarding"') WHERE seq = 2`));
    const broken = await cli('verify', '--agency', 'health');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('health: BROKEN at row 2 (edited)');
  }, 60_000);
});
