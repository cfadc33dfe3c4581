import { parseArgs } from 'node:util';
import { createBlockingIndex, createScorer, DEFAULT_MODEL, DEFAULT_THRESHOLDS, prepare, weightOf } from '../shared';
import { buildLabelledSet } from '../synthetic';
import { queryDemographics, recordDemographics } from '../tools/matching/tasks';

/**
 * `npm run bench:matching [-- --queries 100000 --records 100000]`: matches
 * every query against the records in memory, blocked with the subgraphs' rules
 * and scored with the shipped model, one thread, and prints the candidate
 * pairs, pairs compared a second and the total. Each candidate pair is compared
 * until its decision is settled: fields cheapest first, and a pair that can no
 * longer reach the review threshold is set aside there. The data is the synthetic
 * labelled set, built large enough first (not timed).
 */
function main() {
  const { values } = parseArgs({ options: { queries: { type: 'string', default: '100000' }, records: { type: 'string', default: '100000' } } });
  const wantQueries = Number(values.queries);
  const wantRecords = Number(values.records);
  let built = Date.now();
  // About a third of children are in social housing: three children per record wanted gives enough of both.
  const set = buildLabelledSet({ children: Math.max(wantQueries, wantRecords * 3), seed: 1, asOf: '2026-11-25' });
  const queries = set.queries.slice(0, wantQueries).map(queryDemographics);
  const records = set.records.slice(0, wantRecords).map(recordDemographics);
  built = Date.now() - built;

  const started = process.hrtime.bigint();
  const preparedRecords = records.map(prepare);
  const index = createBlockingIndex(preparedRecords);
  const indexed = process.hrtime.bigint();
  const scorer = createScorer(DEFAULT_MODEL);
  const matchWeight = weightOf(DEFAULT_THRESHOLDS.match);
  const reviewWeight = weightOf(DEFAULT_THRESHOLDS.review);
  let pairs = 0;
  let matched = 0;
  let possible = 0;
  let blocking = 0n;
  let comparing = 0n;
  for (const query of queries) {
    const t0 = process.hrtime.bigint();
    const q = prepare(query);
    const candidates = index.candidates(q);
    const t1 = process.hrtime.bigint();
    let atMatch = 0;
    let atReview = 0;
    for (let i = 0; i < candidates.length; i++) {
      const w = scorer.weightAtLeast(q, preparedRecords[candidates[i]!]!, reviewWeight);
      if (w >= matchWeight) atMatch++;
      else if (w >= reviewWeight) atReview++;
    }
    comparing += process.hrtime.bigint() - t1;
    blocking += t1 - t0;
    pairs += candidates.length;
    if (atMatch === 1) matched++;
    else if (atMatch + atReview > 0) possible++;
  }
  const total = Number(process.hrtime.bigint() - started) / 1e9;
  const seconds = (n: bigint) => Number(n) / 1e9;
  const lines = [
    `Matching ${queries.length.toLocaleString('en-GB')} queries against ${records.length.toLocaleString('en-GB')} records (data built in ${(built / 1000).toFixed(1)} s, not timed), one thread:`,
    `  records prepared and indexed under ${index.rules.length} blocking rules: ${seconds(indexed - started).toFixed(1)} s`,
    `  preparing and blocking the queries: ${seconds(blocking).toFixed(1)} s; ${pairs.toLocaleString('en-GB')} candidate pairs (${(pairs / queries.length).toFixed(1)} a query)`,
    `  comparing and scoring: ${seconds(comparing).toFixed(1)} s, ${Math.round(pairs / seconds(comparing)).toLocaleString('en-GB')} pairs a second`,
    `  ${matched.toLocaleString('en-GB')} matched, ${possible.toLocaleString('en-GB')} with possible matches only`,
    `  total ${total.toFixed(1)} s (target ≤ 60 s)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
