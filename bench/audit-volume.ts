import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { accessEntriesPage, appendAudit, auditRowsForChild, migrateAudit, openAgencyDatabase, type AuditEntry, type Database } from '../shared';
import { syntheticNhsNumbers } from '../synthetic';

/**
 * `TEST_DATABASE_URL=… npx tsx bench/audit-volume.ts [--rows 1000000] [--rounds 5] [--rebuild]`: the record
 * keeper's tools on one agency's log of a million rows, on PostgreSQL. The log is built once (and kept, in
 * database `cvbench_audit_volume`, for the next run): single views of children of a 20,000-child population,
 * and one row in fifty a caseload naming 500 children of a team's 2,000, through service.append_audit in
 * batches. Then:
 * - `npm run audit -- verify --agency health` against it, as a record keeper runs it, in its own process: wall
 *   time and the process's peak RSS (VmHWM);
 * - for one child of the team's caseloads (named in thousands of rows): the first page of the access log
 *   (100 entries, the default period) and of the export (1,000 rows), medians of the rounds;
 * - the first page of the access history of the social worker whose caseloads they are.
 */
const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '5' }, rebuild: { type: 'boolean', default: false } },
});
const ROWS = Number(values.rows);
const ROUNDS = Number(values.rounds);
if (!Number.isInteger(ROWS) || ROWS < 1000) throw new Error(`--rows must be a whole number of at least 1000; got "${values.rows}"`);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`--rounds must be a whole number of at least 1; got "${values.rounds}"`);
const DATABASE = 'cvbench_audit_volume';
const CASELOAD_EVERY = 50;

const numbers = syntheticNhsNumbers();
const population = Array.from({ length: 20_000 }, () => numbers.next().value as string);
const team = population.slice(0, 2_000);
const traced = team[0]!;

function entryFor(n: number): AuditEntry {
  const caseload = n % CASELOAD_EVERY === 0;
  // A caseload is a quarter of the team's children, in turn; a single view one child of the county.
  const named = caseload ? team.slice(((n / CASELOAD_EVERY) % 4) * 500, ((n / CASELOAD_EVERY) % 4) * 500 + 500) : [population[(n * 7919) % population.length]!];
  return {
    traceId: `bench-${n}`,
    caller: {
      sub: caseload ? 'sw.jones' : `worker-${n % 400}`,
      name: 'A practitioner (fictional)',
      roles: ['social-worker'],
      org: 'NS001',
      orgType: 'local-authority',
    },
    purpose: 'safeguarding',
    breakGlass: null,
    operation: { type: 'query', name: caseload ? 'Caseload' : 'ChildView' },
    children: named.map((nhsNumber) => ({
      nhsNumber,
      localReference: null,
      disclosed: caseload ? ['socialCare.status', 'name.given', 'name.family'] : Array.from({ length: 12 }, (_, i) => `socialCare.field${i}`),
      denied: [],
    })),
    basis: { policies: ['socialcare:status'], lawfulBasis: 'safeguarding children (DPA 2018 Sch 1 para 18)' },
  };
}

async function build(db: Database): Promise<void> {
  await migrateAudit(db);
  const [{ n }] = (await db.query<{ n: string }>('SELECT count(*)::text AS n FROM service.audit_log')) as [{ n: string }];
  if (Number(n) === ROWS) return;
  if (Number(n) !== 0) throw new Error(`${DATABASE} holds ${n} rows, not ${ROWS}: run with --rebuild`);
  const started = Date.now();
  for (let from = 1; from <= ROWS; from += 1000) {
    await appendAudit(
      db,
      Array.from({ length: Math.min(1000, ROWS - from + 1) }, (_, i) => entryFor(from + i)),
    );
    if (from % 50_001 === 1) process.stderr.write(`\rbuilding: ${(from - 1).toLocaleString('en-GB')} rows`);
  }
  process.stderr.write(`\rbuilt ${ROWS.toLocaleString('en-GB')} rows in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  await db.query('VACUUM ANALYZE service.audit_log');
}

/** Runs the record keeper's verify in its own process: its wall time and peak resident memory. */
function verifyInProcess(url: string): Promise<{ seconds: number; peakMb: number; output: string }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/audit/cli.ts', 'verify', '--agency', 'health'], {
      env: { ...process.env, HEALTH_DATABASE_URL: url, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    let peakKb = 0;
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    const sample = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
      } catch {
        /* the process has just exited */
      }
    }, 50);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(sample);
      if (code !== 0) reject(new Error(`verify exited ${code}: ${output}`));
      else resolve({ seconds: (Date.now() - started) / 1000, peakMb: peakKb / 1024, output: output.trim() });
    });
  });
}

async function medianMs(work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const started = process.hrtime.bigint();
    await work();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

async function main() {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) throw new Error('Set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)');
  const admin = new Client({ connectionString: server });
  await admin.connect();
  if (values.rebuild) await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${DATABASE}`;
  const database = await openAgencyDatabase({ url: url.toString() });
  try {
    await build(database.owner);
    const [{ n }] = (await database.owner.query<{ n: string }>('SELECT count(*)::text AS n FROM service.audit_log WHERE nhs_numbers @> ARRAY[$1]', [
      traced,
    ])) as [{ n: string }];
    const verify = await verifyInProcess(url.toString());
    const period = { since: new Date(Date.now() - 366 * 86_400_000).toISOString(), until: '' };
    const log = await medianMs(() => accessEntriesPage(database.owner, 'health', { child: traced }, { ...period, first: 100, after: null }));
    const exported = await medianMs(() => auditRowsForChild(database.owner, traced, { ...period, first: 1000 }));
    const history = await medianMs(() => accessEntriesPage(database.owner, 'health', { caller: 'sw.jones' }, { ...period, first: 100, after: null }));
    process.stdout.write(
      [
        `log: ${ROWS.toLocaleString('en-GB')} rows, one in ${CASELOAD_EVERY} a 500-child caseload; the child traced is named in ${Number(n).toLocaleString('en-GB')} rows`,
        `verify (npm run audit -- verify, own process): ${verify.seconds.toFixed(1)} s, peak RSS ${verify.peakMb.toFixed(0)} MB — ${verify.output}`,
        `access log, first page (100 entries), median of ${ROUNDS}: ${log.toFixed(1)} ms`,
        `export, first page (1,000 rows), median of ${ROUNDS}: ${exported.toFixed(1)} ms`,
        `access history of the caseloads' worker, first page (100 entries), median of ${ROUNDS}: ${history.toFixed(1)} ms`,
      ].join('\n') + '\n',
    );
  } finally {
    await database.close();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
