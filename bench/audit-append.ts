import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { appendAudit, ensureServiceRole, migrateAudit, openAgencyDatabase, type AuditEntry, type Database } from '../shared';
import { cpuPerRequest, cpuSnapshot } from './cpu';
import { median } from './stats';

/**
 * `TEST_DATABASE_URL=… npx tsx bench/audit-append.ts [--calls 5000] [--rounds 3]`: what one audit append
 * costs on its own, one call after another on one connection of the service role, in CPU microseconds per
 * call, of PostgreSQL (every server process) and of this process (the node-postgres client): the append
 * (`service.append_audit`, durable), the same with asynchronous commit (what giving up durability would
 * save), a plain durable one-row insert of the same text, and `SELECT 1` (a round trip). The federation
 * benchmark (`npm run bench -- --compare audit`) measures what five such appends cost a request under load;
 * this says how much of that is the append's own floor. Medians of the rounds.
 */
const { values } = parseArgs({ options: { calls: { type: 'string', default: '5000' }, rounds: { type: 'string', default: '3' } } });
const calls = Number(values.calls);
const rounds = Number(values.rounds);
if (!Number.isInteger(calls) || calls < 100) throw new Error(`--calls must be a whole number of at least 100; got "${values.calls}"`);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a whole number of at least 1; got "${values.rounds}"`);

// A social worker's full view of one child, as social care records it: about twenty fields disclosed.
const entry: AuditEntry = {
  traceId: 'bench',
  caller: { sub: 'sw.jones', name: 'Sam Jones (fictional)', roles: ['social-worker'], org: 'NS001', orgType: 'local-authority' },
  purpose: 'safeguarding',
  breakGlass: null,
  operation: { type: 'query', name: null },
  children: [{ nhsNumber: '9990000018', localReference: null, disclosed: Array.from({ length: 20 }, (_, i) => `socialCare.field${i}.name`), denied: [] }],
  basis: { policies: ['socialcare:status', 'socialcare:case'], lawfulBasis: 'safeguarding children (DPA 2018 Sch 1 para 18)' },
};

async function main() {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) throw new Error('Set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)');
  const name = `cvbench_append_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const database = await openAgencyDatabase({ url: url.toString() });
  try {
    await database.owner.exec('CREATE SCHEMA IF NOT EXISTS records');
    await migrateAudit(database.owner);
    await database.owner.exec('CREATE TABLE service.plain (id bigserial PRIMARY KEY, entry text NOT NULL)');
    await ensureServiceRole(database.owner, 'bench_append_service');
    // One connection, so that each call waits for the one before, as one agency's appends do at the federation's load.
    const served = await database.asRole('bench_append_service');
    const text = JSON.stringify(entry);
    const cases: { label: string; run: (db: Database) => Promise<unknown>; before?: string }[] = [
      { label: 'append (durable)', run: (db) => appendAudit(db, [entry]), before: 'SET synchronous_commit = on' },
      { label: 'append, asynchronous commit', run: (db) => appendAudit(db, [entry]), before: 'SET synchronous_commit = off' },
      {
        label: 'plain insert (durable)',
        run: (db) => db.query('INSERT INTO service.plain (entry) VALUES ($1)', [text], { prepare: true }),
        before: 'SET synchronous_commit = on',
      },
      { label: 'SELECT 1 (a round trip)', run: (db) => db.query('SELECT 1', [], { prepare: true }) },
    ];
    const results = new Map<string, { postgres: number; client: number; wall: number }[]>();
    for (let round = 0; round < rounds; round++) {
      for (const c of cases) {
        // The pool keeps one session per connection; a setting made on it stays for the calls that follow.
        if (c.before) await served.exec(c.before);
        for (let i = 0; i < 100; i++) await c.run(served);
        const before = cpuSnapshot();
        const started = process.hrtime.bigint();
        for (let i = 0; i < calls; i++) await c.run(served);
        const wall = Number(process.hrtime.bigint() - started) / 1000 / calls;
        const after = cpuSnapshot();
        if (!before || !after) throw new Error('CPU time is read from /proc: this benchmark needs Linux');
        const cpu = cpuPerRequest(before, after, calls);
        (results.get(c.label) ?? results.set(c.label, []).get(c.label)!).push({ postgres: cpu.postgresMs * 1000, client: cpu.processMs * 1000, wall });
      }
    }
    const lines = [
      `${calls} calls x ${rounds} rounds, one connection as the service role; medians, microseconds per call`,
      '| statement | PostgreSQL CPU | client CPU | wall |',
      '|---|---|---|---|',
    ];
    for (const [label, rs] of results) {
      lines.push(
        `| ${label} | ${median(rs.map((r) => r.postgres)).toFixed(0)} | ${median(rs.map((r) => r.client)).toFixed(0)} | ${median(rs.map((r) => r.wall)).toFixed(0)} |`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await database.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
