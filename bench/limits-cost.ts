import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { buildSchema, parse } from 'graphql';
import { composeSupergraph, createRateLimiter, loadSubgraphUrls, MemorySharedState } from '../gateway';
import { DEFAULT_OPERATION_LIMITS, exceededLimit, readAgencySdl, stripPolicyFeatures } from '../shared';
import { syntheticNhsNumbers } from '../synthetic';

/**
 * `npx tsx bench/limits-cost.ts [--rounds 2000]`: what the limits cost a request in CPU on their own, isolated
 * from the machine's noise (two identical federations under autocannon differ here by up to 30 % a run, so
 * `npm run bench -- --compare limits` cannot resolve a few per cent). For the full view and a 500-child caseload:
 * the gateway's checks (parsing with the token limit against without, the depth, alias and directive rules, the
 * measures, the rate limiter's counters in memory) and one subgraph's checks of the gateway's `_entities` call,
 * in microseconds per request (medians of five batches). Compare with the CPU a request costs in `npm run bench`.
 */
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] ?? 2000) || 2000;

const FULL_VIEW = `{ child(nhsNumber: "9990000018") { nhsNumber name { given family } dateOfBirth address { line1 town postcode }
  health { registeredGp { practiceName } immunisations { vaccine date } conditions { name since } }
  socialCare { status allocatedWorker { name phone team } caseNotes { date author text } }
  housing { matchConfidence tenancy { address type landlord } rentArrears }
  education { school { name urn } attendanceRate exclusions { date type days } } } }`;
const CASELOAD = `query Caseload($n: [ID!]!) { children(nhsNumbers: $n) { nhsNumber name { given family } dateOfBirth
  health { registeredGp { practiceName } } socialCare { status allocatedWorker { name } } education { school { name } attendanceRate } } }`;
const ENTITIES =
  'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Child { socialCare { status allocatedWorker { name } } } } }';

function microseconds(work: () => unknown): number {
  const batches: number[] = [];
  for (let b = 0; b < 5; b++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) work();
    batches.push(Number(process.hrtime.bigint() - started) / 1000 / rounds);
  }
  return batches.sort((a, b) => a - b)[2]!;
}

async function main() {
  const sources = loadSubgraphUrls().map((s) => ({ ...s, sdl: readAgencySdl(join(__dirname, '..', 'subgraphs', s.name), s.name) }));
  const gatewaySchema = buildSchema(stripPolicyFeatures(composeSupergraph(sources)), { assumeValidSDL: true });
  const socialcare = sources.find((s) => s.name === 'socialcare')!;
  const subgraphSchema = buildSubgraphSchema({ typeDefs: parse(socialcare.sdl) });
  const numbers = syntheticNhsNumbers();
  const caseload = Array.from({ length: 500 }, () => numbers.next().value as string);
  const listSizes = { 'Query.searchChildren': 10 };
  const limiter = createRateLimiter({ state: new MemorySharedState(), secret: 'bench', limits: { requests: 1e9, children: 1e9, concurrent: 1e9 } });
  const cases = [
    { name: 'full view', query: FULL_VIEW, variables: {}, children: 1 },
    { name: 'caseload of 500', query: CASELOAD, variables: { n: caseload }, children: 500 },
  ];
  const entitiesVariables = (n: number) => ({ representations: caseload.slice(0, n).map((nhsNumber) => ({ __typename: 'Child', nhsNumber })) });
  process.stdout.write(
    `${rounds} requests a batch, medians of 5 batches, µs per request\n| | parse with the token limit − without | gateway: rules and measures | rate limiter (in memory) | one subgraph's checks of its call | total (gateway + 5 subgraph calls) |\n|---|---|---|---|---|---|\n`,
  );
  for (const c of cases) {
    const limited = microseconds(() => parse(c.query, { maxTokens: DEFAULT_OPERATION_LIMITS.tokens }));
    const plain = microseconds(() => parse(c.query));
    const document = parse(c.query);
    const gateway = microseconds(() => exceededLimit(gatewaySchema, document, c.variables, DEFAULT_OPERATION_LIMITS, { listSizes }));
    let k = 0;
    const rate = microseconds(() => void limiter.request(`sw.jones.${k++ % 50}`));
    const entities = parse(ENTITIES);
    const variables = entitiesVariables(c.children);
    const subgraph = microseconds(() => exceededLimit(subgraphSchema, entities, variables, DEFAULT_OPERATION_LIMITS));
    const total = Math.max(0, limited - plain) + gateway + rate + 5 * subgraph;
    process.stdout.write(
      `| ${c.name} | ${(limited - plain).toFixed(1)} | ${gateway.toFixed(1)} | ${rate.toFixed(1)} | ${subgraph.toFixed(1)} | ${total.toFixed(0)} |\n`,
    );
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
