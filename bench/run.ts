import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import autocannon from 'autocannon';
import { syntheticNhsNumbers } from '../synthetic';
import { startFederation, type Backend } from '../test/start-federation';
import { cpuPerRequest, cpuSnapshot, type CpuPerRequest } from './cpu';
import { median } from './stats';

/**
 * `npm run bench:compare [-- --runs 3 --duration 10 --connections 10 --backend pglite|postgres --children 2000 --compare authz|audit|limits|same --scenario full|caseload|all --warmup 3 --cooldown 3]`
 * Starts the whole federation twice on loopback, with authorisation enforced
 * (gateway and agencies) and off (or, with `--compare audit`, with every
 * agency's audit log written and not; with `--compare limits`, with the operation limits, rate limits and request
 * deadline applied and not), and drives each gateway with autocannon: the
 * demo child's full view and a 500-child caseload. Both are warmed first; then
 * each run measures the two back to back, in alternating order, each after a
 * pause and a garbage collection, and the medians are reported with the on/off
 * throughput ratio (of the medians, and the geometric mean of the runs' own
 * ratios), since machines are shared and noisy. On Linux each run also reports
 * the CPU each request cost (bench/cpu.ts): the main thread, which the gateway
 * and every subgraph share and whose saturation bounds throughput here, the
 * whole process, and a local PostgreSQL server, with the on/off ratios of the
 * main thread's CPU and of all of it (process and PostgreSQL), which throughput
 * follows once both cores are busy. `--compare same` measures two
 * identical federations (both "on"), to show how far apart two runs of the same thing fall here.
 * Results are written to bench/results/.
 */
const fullView = `{ child(nhsNumber: "9990000018") { nhsNumber name { given family } dateOfBirth gender address { line1 town postcode } nhsNumberStatus restricted
  health { registeredGp { practiceName odsCode } healthVisitor { name phone } immunisations { vaccine date } emergencyAttendances { date hospital reason } conditions { name since } }
  socialCare { status statusSince localAuthority { name dutyPhone } allocatedWorker { name phone team } referrals { date source reason } caseNotes { date author text } }
  housing { matchConfidence matchedOn tenancy { address type landlord startDate } household { name relationship } temporaryAccommodation antisocialBehaviourCases { date category } rentArrears }
  education { school { name urn designatedSafeguardingLead { name phone } } attendanceRate unauthorisedAbsences exclusions { date type days } senSupport ehcp freeSchoolMeals } } }`;

const caseload = `query Caseload($n: [ID!]!) { children(nhsNumbers: $n) { nhsNumber name { given family } dateOfBirth
  health { registeredGp { practiceName } conditions { name } } socialCare { status allocatedWorker { name } }
  housing { matchConfidence tenancy { landlord } rentArrears } education { school { name } attendanceRate } } }`;

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '10' },
      backend: { type: 'string', default: 'pglite' },
      children: { type: 'string', default: '2000' },
      compare: { type: 'string', default: 'authz' },
      scenario: { type: 'string', default: 'all' },
      warmup: { type: 'string', default: '3' },
      cooldown: { type: 'string', default: '3' },
    },
  });
  const runs = Number(values.runs);
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  // Two federations side by side: authorisation enforced at the gateway and in every agency, and off.
  // `same` starts two identical federations: what the comparison shows then is this machine's own noise.
  const audit = values.compare === 'audit';
  const limits = values.compare === 'limits';
  const same = values.compare === 'same';
  if (!['authz', 'audit', 'limits', 'same'].includes(values.compare))
    throw new Error(`--compare must be authz, audit, limits or same; got "${values.compare}"`);
  const on = await startFederation({ backend: values.backend as Backend, children: Number(values.children) });
  const off = await startFederation({
    backend: values.backend as Backend,
    children: Number(values.children),
    ...(same ? {} : audit ? { audit: 'off' as const } : limits ? { limits: 'off' as const } : { authorizationMode: 'off' as const }),
  });
  const label = values.compare;
  const [onLabel, offLabel] = same ? ['same, 1st', 'same, 2nd'] : [`${label} on`, `${label} off`];
  const numbers = syntheticNhsNumbers();
  const caseloadNumbers = Array.from({ length: 500 }, () => numbers.next().value as string);
  const scenarios = [
    { id: 'full', name: 'child full view (5 agencies)', body: JSON.stringify({ query: fullView }) },
    { id: 'caseload', name: 'caseload of 500 children', body: JSON.stringify({ query: caseload, variables: { n: caseloadNumbers } }) },
  ].filter((s) => values.scenario === 'all' || s.id === values.scenario);
  if (scenarios.length === 0) throw new Error(`--scenario must be full, caseload or all; got "${values.scenario}"`);
  const results: Record<string, { rps: number; p50: number; p99: number; errors: number; cpu: CpuPerRequest | null }[]> = {};
  try {
    const targets = [
      { label: onLabel, federation: on, auth: await on.authHeaders({ persona: 'sw.jones', purpose: 'safeguarding' }) },
      { label: offLabel, federation: off, auth: await off.authHeaders({ persona: 'sw.jones', purpose: 'safeguarding' }) },
    ];
    const drive = (target: (typeof targets)[number], scenario: (typeof scenarios)[number], seconds: number) =>
      autocannon({
        // A worker thread generates the load, so it does not compete with the gateway's event loop.
        url: target.federation.gatewayUrl,
        method: 'POST',
        duration: seconds,
        connections,
        workers: 1,
        headers: { 'content-type': 'application/json', ...target.auth },
        body: scenario.body,
      });
    // Each measurement starts from a quiet machine: what one run leaves behind (garbage to collect, the
    // database's background writing) is not charged to the next, whichever federation that is.
    const collectGarbage = (() => {
      setFlagsFromString('--expose-gc');
      return runInNewContext('gc') as () => void;
    })();
    const settle = async (seconds: number) => {
      collectGarbage();
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    };
    // Both federations share the process's compiled code; each is warmed before anything is measured.
    if (Number(values.warmup) > 0) for (const scenario of scenarios) for (const target of targets) await drive(target, scenario, Number(values.warmup));
    for (let run = 0; run < runs; run++) {
      for (const scenario of scenarios) {
        // Alternate which federation goes first, so that neither always meets the other's after-effects.
        for (const target of run % 2 === 0 ? targets : [...targets].reverse()) {
          await settle(Number(values.cooldown));
          const before = cpuSnapshot();
          const result = await drive(target, scenario, duration);
          const after = cpuSnapshot();
          const key = `${scenario.name} | ${target.label}`;
          const cpu = before && after ? cpuPerRequest(before, after, result.requests.total) : null;
          (results[key] ??= []).push({
            rps: result.requests.average,
            p50: result.latency.p50,
            p99: result.latency.p99,
            errors: result.errors + result.non2xx,
            cpu,
          });
          process.stderr.write(`run ${run + 1}/${runs} ${key}: ${result.requests.average.toFixed(1)} req/s\n`);
        }
      }
    }
  } finally {
    await on.stop();
    await off.stop();
  }
  const cpuMedian = (rs: { cpu: CpuPerRequest | null }[], part: keyof CpuPerRequest) => (rs.every((r) => r.cpu) ? median(rs.map((r) => r.cpu![part])) : null);
  const ms = (value: number | null) => (value === null ? '–' : value.toFixed(2));
  const lines = [
    `backend ${values.backend}, ${values.children} children, ${runs} runs x ${duration} s, ${connections} connections, as sw.jones (safeguarding); medians; CPU in ms per request`,
    '| scenario | req/s | p50 ms | p99 ms | errors | CPU main thread | CPU process | CPU PostgreSQL |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, rs] of Object.entries(results)) {
    lines.push(
      `| ${name} | ${median(rs.map((r) => r.rps)).toFixed(1)} | ${median(rs.map((r) => r.p50))} | ${median(rs.map((r) => r.p99))} | ${rs.reduce((a, r) => a + r.errors, 0)} | ${ms(cpuMedian(rs, 'mainMs'))} | ${ms(cpuMedian(rs, 'processMs'))} | ${ms(cpuMedian(rs, 'postgresMs'))} |`,
    );
  }
  for (const scenario of scenarios) {
    const ratio = median(results[`${scenario.name} | ${onLabel}`]!.map((r) => r.rps)) / median(results[`${scenario.name} | ${offLabel}`]!.map((r) => r.rps));
    // Each run's pair was measured back to back, in alternating order: the geometric mean of those ratios
    // cancels what going first or second does to a measurement.
    const pairs = results[`${scenario.name} | ${onLabel}`]!.map((r, i) => r.rps / results[`${scenario.name} | ${offLabel}`]![i]!.rps);
    const geometricMean = Math.exp(pairs.reduce((sum, r) => sum + Math.log(r), 0) / pairs.length);
    lines.push(
      `${scenario.name}: throughput ${onLabel} / ${offLabel} = ${ratio.toFixed(3)} (ratio of medians); ${geometricMean.toFixed(3)} (geometric mean of the runs' ratios: ${pairs.map((r) => r.toFixed(3)).join(', ')})`,
    );
    // While the main thread is the bottleneck, throughput follows its CPU per request: this ratio is what the throughput ratio tends to.
    const mainOn = cpuMedian(results[`${scenario.name} | ${onLabel}`]!, 'mainMs');
    const mainOff = cpuMedian(results[`${scenario.name} | ${offLabel}`]!, 'mainMs');
    if (mainOn !== null && mainOff !== null) {
      lines.push(
        `${scenario.name}: main-thread CPU per request ${offLabel} / ${onLabel} = ${(mainOff / mainOn).toFixed(3)} (${ms(mainOff)} / ${ms(mainOn)} ms)`,
      );
    }
    // Once both cores are busy, throughput follows all the CPU a request costs: the process's and PostgreSQL's together.
    // Summed run by run, then the median: a cost that moves less with the machine's speed than throughput does.
    const wholeMedian = (rs: { cpu: CpuPerRequest | null }[]) => (rs.every((r) => r.cpu) ? median(rs.map((r) => r.cpu!.processMs + r.cpu!.postgresMs)) : null);
    const wholeOn = wholeMedian(results[`${scenario.name} | ${onLabel}`]!);
    const wholeOff = wholeMedian(results[`${scenario.name} | ${offLabel}`]!);
    if (wholeOn !== null && wholeOff !== null) {
      lines.push(
        `${scenario.name}: all CPU per request (process and PostgreSQL) ${offLabel} / ${onLabel} = ${(wholeOff / wholeOn).toFixed(3)} (${ms(wholeOff)} / ${ms(wholeOn)} ms)`,
      );
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `federation-${label}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ values, results }, null, 2));
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
