import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { signPersonaToken } from '../dev/personas';
import { REGISTRY } from '../registry';
import { createKeyPair } from '../shared';
import { freePort, start, waitForHealth, type Service } from '../tools/soak/processes';
import { agencyDatabaseUrls, benchGatewayEnv, wholeNumberOption } from './bench-services';
import { cpuSnapshot, processCpuMs } from './cpu';
import { median } from './stats';

/**
 * `TEST_DATABASE_URL=… npx tsx bench/audit-cost.ts [--runs 5] [--requests 200] [--duration 10] [--connections 10] [--children 2000]`
 * What each agency's audit log costs a deployment, with every service a process of its own as deployed: two
 * federations over the same PostgreSQL databases (one per agency), the agencies' audit written in one and not in
 * the other (bench/agency-process.ts), each with its own gateway. In alternating order, each run measures:
 * - latency: the demo child's full view, one request at a time, in pairs (one to each federation, the first
 *   alternating), p50 with and without the audit and the median of the pairs' differences;
 * - under load (autocannon): the five subgraph processes' CPU per request, and PostgreSQL's (the processes working
 *   for these databases: their backends, which flush their own commits, and autovacuum), with and without;
 *   PostgreSQL's extra CPU divided by the rows appended is the cost of one appended row.
 * Medians of the runs. `--synchronous-commit off` (an experiment, never a deployment's setting) shows how much of
 * the cost is each commit's durable flush.
 */
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    requests: { type: 'string', default: '200' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    children: { type: 'string', default: '2000' },
    // An experiment, never a deployment's setting: how much of the cost is the durable flush of each commit.
    'synchronous-commit': { type: 'string', default: 'on' },
  },
});
const count = (name: keyof typeof values, min: number) => wholeNumberOption(name, values[name], min);
const RUNS = count('runs', 1);
const REQUESTS = count('requests', 20);
const DURATION = count('duration', 2);
const CONNECTIONS = count('connections', 1);
const CHILDREN = count('children', 50);

const FULL_VIEW = `{ child(nhsNumber: "9990000018") { nhsNumber name { given family } dateOfBirth address { line1 postcode }
  health { registeredGp { practiceName } immunisations { vaccine date } conditions { name } }
  socialCare { status allocatedWorker { name phone } caseNotes { date text } }
  housing { matchConfidence tenancy { address type } rentArrears }
  education { school { name } attendanceRate exclusions { date } } } }`;

interface Federation {
  label: 'on' | 'off';
  gatewayUrl: string;
  agencies: Service[];
  gateway: Service;
}

async function main() {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) throw new Error('Set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)');
  const dir = mkdtempSync(join(tmpdir(), 'cv-audit-cost-'));
  const suffix = randomBytes(3).toString('hex');
  const urls = agencyDatabaseUrls(server, 'cvbench_cost', suffix);
  const databases = Object.values(urls).map((url) => new URL(url).pathname.slice(1));
  const admin = new Client({ connectionString: server });
  await admin.connect();
  if (!['on', 'off'].includes(values['synchronous-commit'])) throw new Error(`--synchronous-commit must be on or off; got "${values['synchronous-commit']}"`);
  for (const url of Object.values(urls)) {
    const name = new URL(url).pathname.slice(1);
    await admin.query(`CREATE DATABASE ${name}`);
    if (values['synchronous-commit'] === 'off') await admin.query(`ALTER DATABASE ${name} SET synchronous_commit = off`);
  }
  const gatewayKeys = await createKeyPair('gateway-bench');
  const idp = await createKeyPair('idp-bench');
  writeFileSync(join(dir, 'gateway.jwks.json'), JSON.stringify(gatewayKeys.publicJwks));
  writeFileSync(join(dir, 'gateway.jwk.json'), JSON.stringify(gatewayKeys.privateJwk));
  writeFileSync(join(dir, 'idp.jwks.json'), JSON.stringify(idp.publicJwks));
  const token = await signPersonaToken('sw.jones', idp.privateJwk);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose-of-use': 'safeguarding' };
  const all: Service[] = [];
  const startFederation = async (label: 'on' | 'off'): Promise<Federation> => {
    const subgraphs: { name: string; url: string }[] = [];
    const agencies: Service[] = [];
    for (const { name } of REGISTRY) {
      const port = await freePort();
      const prefix = name.toUpperCase();
      const service = start(
        `${name}-${label}`,
        'bench/agency-process.ts',
        {
          [`${prefix}_PORT`]: String(port),
          [`${prefix}_DATABASE_URL`]: urls[name]!,
          [`${prefix}_SERVICE_DATABASE_URL`]: '',
          SEED_IF_EMPTY: 'true',
          SEED_CHILDREN: String(CHILDREN),
          GATEWAY_JWKS_PATH: join(dir, 'gateway.jwks.json'),
          LOG_LEVEL: 'warn',
          NODE_ENV: 'production',
        },
        [name, label],
      );
      agencies.push(service);
      all.push(service);
      subgraphs.push({ name, url: `http://127.0.0.1:${port}/graphql` });
      // One at a time: the first seeds each database, the second finds it seeded.
      await waitForHealth(`http://127.0.0.1:${port}/health`, service, 600);
    }
    const port = await freePort();
    const gateway = start(`gateway-${label}`, 'gateway/main.ts', benchGatewayEnv({ dir, name: `gateway-${label}`, port, subgraphs }));
    all.push(gateway);
    const gatewayUrl = `http://127.0.0.1:${port}/graphql`;
    await waitForHealth(gatewayUrl.replace('/graphql', '/health'), gateway);
    return { label, gatewayUrl, agencies, gateway };
  };
  try {
    const federations = [await startFederation('on'), await startFederation('off')];
    // Each agency's newest row, and what was appended since: rows, and appends (one commit each, every row of
    // an append stamped with the same time), so that rows per commit shows how far the writer's grouping goes.
    const heads = async () => {
      const seqs = new Map<string, number>();
      for (const [name, url] of Object.entries(urls)) {
        const c = new Client({ connectionString: url });
        await c.connect();
        seqs.set(name, Number((await c.query('SELECT coalesce(max(seq), 0)::text AS n FROM service.audit_log')).rows[0].n));
        await c.end();
      }
      return seqs;
    };
    const appendedSince = async (before: Map<string, number>) => {
      let rows = 0;
      let commits = 0;
      for (const [name, url] of Object.entries(urls)) {
        const c = new Client({ connectionString: url });
        await c.connect();
        const {
          rows: [r],
        } = await c.query('SELECT count(*)::int AS rows, count(DISTINCT at)::int AS commits FROM service.audit_log WHERE seq > $1', [before.get(name) ?? 0]);
        rows += r.rows;
        commits += r.commits;
        await c.end();
      }
      return { rows, commits };
    };
    const body = JSON.stringify({ query: FULL_VIEW });
    const ask = async (f: Federation) => {
      const response = await fetch(f.gatewayUrl, { method: 'POST', headers, body });
      const json = (await response.json()) as { errors?: unknown[] };
      if (json.errors) throw new Error(`the full view answered errors: ${JSON.stringify(json.errors).slice(0, 400)}`);
    };
    const timed = async (f: Federation) => {
      const started = process.hrtime.bigint();
      await ask(f);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    for (const f of federations) for (let i = 0; i < 50; i++) await ask(f);
    const series = () => ({
      p50: [] as number[],
      subgraphMs: [] as number[],
      postgresMs: [] as number[],
      backendMs: [] as number[],
      autovacuumMs: [] as number[],
      gatewayMs: [] as number[],
      rps: [] as number[],
      rowsPerRequest: [] as number[],
      rowsPerCommit: [] as number[],
    });
    const results = { on: series(), off: series() };
    const pairedDifference: number[] = [];
    const [on, off] = federations as [Federation, Federation];
    for (let run = 0; run < RUNS; run++) {
      // Latency in pairs: one request to each federation, one after the other, the first alternating, so that
      // whatever else the machine is doing falls on both alike; the median of the pairs' differences is the audit's.
      const times = { on: [] as number[], off: [] as number[] };
      const differences: number[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        const first = (i + run) % 2 === 0 ? on : off;
        const a = await timed(first);
        const b = await timed(first === on ? off : on);
        const [tOn, tOff] = first === on ? [a, b] : [b, a];
        times.on.push(tOn);
        times.off.push(tOff);
        differences.push(tOn - tOff);
      }
      results.on.p50.push(median(times.on));
      results.off.p50.push(median(times.off));
      pairedDifference.push(median(differences));
      await new Promise((r) => setTimeout(r, 1000));
      for (const f of run % 2 === 0 ? federations : [...federations].reverse()) {
        const cpuOf = (services: Service[]) => services.reduce((sum, s) => sum + (processCpuMs(s.child.pid!) ?? 0), 0);
        const [sub0, gw0, pg0, heads0] = [cpuOf(f.agencies), cpuOf([f.gateway]), cpuSnapshot(databases)!, await heads()];
        const load = await autocannon({ url: f.gatewayUrl, method: 'POST', headers, body, connections: CONNECTIONS, duration: DURATION });
        const [sub1, gw1, pg1] = [cpuOf(f.agencies), cpuOf([f.gateway]), cpuSnapshot(databases)!];
        const appended = await appendedSince(heads0);
        const served = load.requests.total;
        let backends = 0;
        let autovacuum = 0;
        for (const [pid, ms] of pg1.postgres) {
          const used = ms - (pg0.postgres.get(pid) ?? 0);
          if (pg1.autovacuum.has(pid)) autovacuum += used;
          else backends += used;
        }
        const r = results[f.label];
        r.subgraphMs.push((sub1 - sub0) / served);
        r.gatewayMs.push((gw1 - gw0) / served);
        r.postgresMs.push((backends + autovacuum) / served);
        r.backendMs.push(backends / served);
        r.autovacuumMs.push(autovacuum / served);
        r.rps.push(load.requests.average);
        r.rowsPerRequest.push(appended.rows / served);
        r.rowsPerCommit.push(appended.commits > 0 ? appended.rows / appended.commits : 0);
        process.stderr.write(
          `run ${run + 1} audit ${f.label}: p50 ${median(times[f.label]).toFixed(2)} ms, ${load.requests.average.toFixed(1)} req/s, subgraphs ${((sub1 - sub0) / served).toFixed(2)} ms CPU/req, PostgreSQL ${((backends + autovacuum) / served).toFixed(2)} ms/req (autovacuum ${(autovacuum / served).toFixed(2)}), rows/req ${(appended.rows / served).toFixed(2)}, rows/commit ${appended.commits > 0 ? (appended.rows / appended.commits).toFixed(2) : '-'}\n`,
        );
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
    const m = (label: 'on' | 'off', key: keyof typeof results.on) => median(results[label][key]);
    const extraPostgresPerRow = (m('on', 'postgresMs') - m('off', 'postgresMs')) / m('on', 'rowsPerRequest');
    process.stdout.write(
      [
        `Audit cost, each service its own process, PostgreSQL (synchronous_commit ${values['synchronous-commit']}), full view of one child (5 agencies), medians of ${RUNS} runs:`,
        `| | audit on | audit off | on − off | off/on |`,
        `|---|---|---|---|---|`,
        `| latency p50, one at a time (ms); on − off is the median of paired differences | ${m('on', 'p50').toFixed(2)} | ${m('off', 'p50').toFixed(2)} | ${median(pairedDifference).toFixed(2)} | |`,
        `| subgraph processes' CPU per request (ms) | ${m('on', 'subgraphMs').toFixed(2)} | ${m('off', 'subgraphMs').toFixed(2)} | ${(m('on', 'subgraphMs') - m('off', 'subgraphMs')).toFixed(2)} | ${(m('off', 'subgraphMs') / m('on', 'subgraphMs')).toFixed(3)} |`,
        `| gateway CPU per request (ms) | ${m('on', 'gatewayMs').toFixed(2)} | ${m('off', 'gatewayMs').toFixed(2)} | ${(m('on', 'gatewayMs') - m('off', 'gatewayMs')).toFixed(2)} | ${(m('off', 'gatewayMs') / m('on', 'gatewayMs')).toFixed(3)} |`,
        `| PostgreSQL CPU per request (ms) | ${m('on', 'postgresMs').toFixed(2)} | ${m('off', 'postgresMs').toFixed(2)} | ${(m('on', 'postgresMs') - m('off', 'postgresMs')).toFixed(2)} | ${(m('off', 'postgresMs') / m('on', 'postgresMs')).toFixed(3)} |`,
        `| of which autovacuum (ms) | ${m('on', 'autovacuumMs').toFixed(2)} | ${m('off', 'autovacuumMs').toFixed(2)} | ${(m('on', 'autovacuumMs') - m('off', 'autovacuumMs')).toFixed(2)} | |`,
        `| throughput, ${CONNECTIONS} connections (req/s) | ${m('on', 'rps').toFixed(1)} | ${m('off', 'rps').toFixed(1)} | | ${(m('on', 'rps') / m('off', 'rps')).toFixed(3)} (on/off) |`,
        `Rows appended per request: ${m('on', 'rowsPerRequest').toFixed(2)}, ${m('on', 'rowsPerCommit').toFixed(2)} rows per commit; PostgreSQL CPU per appended row: ${extraPostgresPerRow.toFixed(3)} ms`,
        '',
      ].join('\n'),
    );
  } finally {
    for (const s of all) s.child.kill('SIGTERM');
    await Promise.all(all.map((s) => s.exit));
    for (const url of Object.values(urls)) await admin.query(`DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
