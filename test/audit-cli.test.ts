import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { flattenedVerify, importJWK, type JWK } from 'jose';
import { appendAudit, migrateAudit, openAgencyDatabase, type AuditEntry } from '../shared';

const run = promisify(execFile);
const entry = (nhsNumber: string, n: number): AuditEntry => ({
  traceId: `trace-${n}`, caller: { sub: 'gp.smith', name: 'Dr Alex Smith', roles: ['gp'], org: 'Y00001', orgType: 'gp-practice' },
  purpose: 'direct-care', breakGlass: null, operation: { type: 'query', name: null }, children: [{ nhsNumber, localReference: null, disclosed: ['health.conditions.name'], denied: [] }], basis: { policies: ['health:clinical'], lawfulBasis: 'direct care (UK GDPR art. 9(2)(h))' },
});

describe('npm run audit (verify, export)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cv-audit-cli-'));
  const environment = { ...process.env, DATA_DIR: dataDir, HEALTH_DATABASE_URL: '', LOG_LEVEL: 'silent' };
  const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'tools/audit/cli.ts', ...args], { env: environment }).then(
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

  it('exports one child\'s rows, signed, for a subject access request', async () => {
    const out = join(dataDir, 'export.json');
    const result = await cli('export', '--child', '999 000 0018', '--agency', 'health', '--out', out);
    expect(result.code).toBe(0);
    const file = JSON.parse(readFileSync(out, 'utf8'));
    const key = await importJWK(file.verifyWith.keys[0] as JWK, 'ES256');
    const { payload } = await flattenedVerify({ payload: file.payload, protected: file.protected, signature: file.signature }, key);
    const document = JSON.parse(new TextDecoder().decode(payload));
    expect(document).toMatchObject({ agency: 'health', nhsNumber: '9990000018', chainIntact: true });
    expect(document.rows.map((r: { entry: AuditEntry }) => r.entry.traceId)).toEqual(['trace-1', 'trace-3']);
    const bad = await cli('export', '--child', '9990000019', '--agency', 'health');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--child');
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
