import { parseArgs } from 'node:util';
import { syntheticNhsNumbers } from '../synthetic';
import { startFederation } from '../test/start-federation';
import { median, percentile } from './stats';

/**
 * `TEST_DATABASE_URL=… npx tsx bench/scale.ts [--children 2000,100000] [--runs 60] [--caseload-runs 20]`: for each
 * population in turn, seeds every agency's PostgreSQL database with it, then times, one request at a time through
 * the gateway, the demo child's full view (every agency), a 500-child caseload (with housing matching), an exact
 * search and a fuzzy search; prints p50 and p99 of each, and for each population after the first, the ratio of its
 * p99 to the first's: what a county's records cost against a demo's.
 */
const FULL_VIEW = `{ child(nhsNumber: "9990000018") { nhsNumber name { given family } dateOfBirth address { line1 postcode }
  health { registeredGp { practiceName } immunisations { vaccine date } conditions { name } }
  socialCare { status allocatedWorker { name phone } caseNotes { date text } }
  housing { matchConfidence tenancy { address type } rentArrears }
  education { school { name } attendanceRate exclusions { date } }
  police { matchConfidence encompassNotifications { sentAt incident { occurredAt type } } } } }`;
const CASELOAD = `query ($n: [ID!]!) { children(nhsNumbers: $n) { nhsNumber name { given family } dateOfBirth
  health { registeredGp { practiceName } } socialCare { status } housing { matchConfidence possibleMatches { reference } tenancy { landlord } }
  education { school { name } } } }`;
/** Requests made before any is timed, for each request and population: each population starts in a new federation, compiled afresh. */
const WARMUP = 10;
const SEARCH = `query ($g: String, $f: String, $d: String, $fuzzy: Boolean) { searchChildren(given: $g, family: $f, dateOfBirth: $d, fuzzy: $fuzzy) { score child { nhsNumber } } }`;

async function main() {
  const { values } = parseArgs({
    options: {
      children: { type: 'string', default: '2000,100000' },
      runs: { type: 'string', default: '60' },
      'caseload-runs': { type: 'string', default: '20' },
    },
  });
  const populations = values.children.split(',').map(Number);
  if (populations.some((n) => !Number.isInteger(n) || n < 50))
    throw new Error(`--children must be whole numbers of at least 50, comma-separated; got "${values.children}"`);
  const results: { children: number; rows: { name: string; p50: number; p99: number }[] }[] = [];
  for (const children of populations) {
    const started = Date.now();
    const federation = await startFederation({ backend: 'postgres', children });
    process.stderr.write(`seeded ${children} children and started in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    try {
      const numbers = syntheticNhsNumbers(1000);
      const n = Array.from({ length: 500 }, () => numbers.next().value as string);
      const as = { persona: 'sw.jones', purpose: 'safeguarding' } as const;
      const [y, m, d] = (await federation.queryGateway('{ child(nhsNumber: "9990000042") { dateOfBirth } }', {}, as)).body.data.child.dateOfBirth.split('-');
      const cases = [
        { name: 'full view (6 agencies)', query: FULL_VIEW, variables: {}, runs: Number(values.runs) },
        { name: '500-child caseload (housing matching)', query: CASELOAD, variables: { n }, runs: Number(values['caseload-runs']) },
        { name: 'exact search (family + date of birth)', query: SEARCH, variables: { f: 'Williams', d: `${y}-${m}-${d}` }, runs: Number(values.runs) },
        {
          name: 'fuzzy search (misspelt, day and month swapped)',
          query: SEARCH,
          variables: { g: 'Noah', f: 'Wiliams', d: `${y}-${d}-${m}`, fuzzy: true },
          runs: Number(values.runs),
        },
      ];
      const rows = [];
      for (const c of cases) {
        const times: number[] = [];
        for (let i = 0; i < c.runs + WARMUP; i++) {
          const t = performance.now();
          const { body } = await federation.queryGateway(c.query, c.variables, as);
          if (!body.data) throw new Error(JSON.stringify(body.errors));
          if (i >= WARMUP) times.push(performance.now() - t);
        }
        rows.push({ name: c.name, p50: median(times), p99: percentile(times, 99) });
      }
      results.push({ children, rows });
    } finally {
      await federation.stop();
    }
  }
  const [first] = results;
  const lines = [
    `Every agency on PostgreSQL, one request at a time through the gateway, as sw.jones (safeguarding); ms`,
    `| request | ${results.map((r) => `${r.children} children p50 | p99`).join(' | ')} |${results.length > 1 ? ` p99 / ${first!.children} children's |`.repeat(results.length - 1) : ''}`,
    `|---|${results.map(() => '---|---').join('|')}|${'---|'.repeat(results.length - 1)}`,
  ];
  for (let i = 0; i < first!.rows.length; i++) {
    const cells = results.map((r) => `${r.rows[i]!.p50.toFixed(1)} | ${r.rows[i]!.p99.toFixed(1)}`);
    const ratios = results.slice(1).map((r) => (r.rows[i]!.p99 / first!.rows[i]!.p99).toFixed(2));
    lines.push(`| ${first!.rows[i]!.name} | ${cells.join(' | ')} |${ratios.map((x) => ` ${x} |`).join('')}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exitCode = 1;
});
