import { parseArgs } from 'node:util';
import { syntheticNhsNumbers } from '../synthetic';
import { startFederation } from '../test/start-federation';
import { median } from './stats';

/**
 * `TEST_DATABASE_URL=… npx tsx bench/scale.ts [--children 100000] [--runs 15]`: seeds every agency's
 * PostgreSQL database with the population, then times, one request at a time through the gateway,
 * a 500-child caseload (with housing matching), an exact search and a fuzzy search; prints medians.
 */
const caseload = `query ($n: [ID!]!) { children(nhsNumbers: $n) { nhsNumber name { given family } dateOfBirth
  health { registeredGp { practiceName } } socialCare { status } housing { matchConfidence possibleMatches { reference } tenancy { landlord } }
  education { school { name } } } }`;
const search = `query ($g: String, $f: String, $d: String, $fuzzy: Boolean) { searchChildren(given: $g, family: $f, dateOfBirth: $d, fuzzy: $fuzzy) { score child { nhsNumber } } }`;

async function main() {
  const { values } = parseArgs({ options: { children: { type: 'string', default: '100000' }, runs: { type: 'string', default: '15' } } });
  const started = Date.now();
  const federation = await startFederation({ backend: 'postgres', children: Number(values.children) });
  process.stderr.write(`seeded ${values.children} children and started in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  try {
    const numbers = syntheticNhsNumbers(1000);
    const n = Array.from({ length: 500 }, () => numbers.next().value as string);
    const as = { persona: 'sw.jones', purpose: 'safeguarding' } as const;
    const [y, m, d] = (await federation.queryGateway('{ child(nhsNumber: "9990000042") { dateOfBirth } }', {}, as)).body.data.child.dateOfBirth.split('-');
    const cases = [
      { name: '500-child caseload (five agencies, housing matching)', query: caseload, variables: { n } },
      { name: 'exact search (family + date of birth)', query: search, variables: { f: 'Williams', d: `${y}-${m}-${d}` } },
      { name: 'fuzzy search (misspelt, day and month swapped)', query: search, variables: { g: 'Noah', f: 'Wiliams', d: `${y}-${d}-${m}`, fuzzy: true } },
    ];
    const lines = [
      `${values.children} children on PostgreSQL, ${values.runs} sequential runs each, as sw.jones (safeguarding)`,
      '| request | median ms |',
      '|---|---|',
    ];
    for (const c of cases) {
      const times: number[] = [];
      for (let i = 0; i < Number(values.runs) + 3; i++) {
        const t = performance.now();
        const { body } = await federation.queryGateway(c.query, c.variables, as);
        if (!body.data) throw new Error(JSON.stringify(body.errors));
        if (i >= 3) times.push(performance.now() - t);
      }
      lines.push(`| ${c.name} | ${median(times).toFixed(1)} |`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await federation.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exitCode = 1;
});
