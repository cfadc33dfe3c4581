import { parseArgs } from 'node:util';
import { readHousingSettings } from '../../subgraphs/housing/store';
import { buildLabelledSet, today } from '../../synthetic';
import { evaluateMatching } from './evaluate';

/**
 * `npm run eval:matching [-- --children 40000 --seed 1]`: builds the labelled
 * set from the synthetic population and prints precision, recall and F1 of
 * housing's matching at the configured thresholds (HOUSING_MATCH_THRESHOLD,
 * HOUSING_REVIEW_THRESHOLD), how many of the missed true pairs the
 * possible-match band catches, and a precision–recall table over thresholds.
 * Exits non-zero when the targets are missed.
 */
const TARGETS = { precision: 0.995, recall: 0.95, possibleCatch: 0.99 };

function main() {
  const { values } = parseArgs({ options: { children: { type: 'string', default: '40000' }, seed: { type: 'string', default: '1' } } });
  const { thresholds } = readHousingSettings(process.env);
  const started = Date.now();
  const set = buildLabelledSet({ children: Number(values.children), seed: Number(values.seed), asOf: today() });
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  const at = evaluateMatching(set, thresholds);
  const lines = [
    `Labelled set: ${set.queries.length} children (queries), ${set.records.length} housing records, ${at.truePairs} true pairs (seed ${values.seed})`,
    `At match threshold ${thresholds.match}, review threshold ${thresholds.review}:`,
    `  precision ${at.precision.toFixed(4)} (target ≥ ${TARGETS.precision}), recall ${at.recall.toFixed(4)} (target ≥ ${TARGETS.recall}), F1 ${at.f1.toFixed(4)}`,
    `  matches ${at.matches}, correct ${at.correctMatches}; possible-match band catches ${pct(at.possibleCatch)} of the true pairs not matched (target ≥ ${pct(TARGETS.possibleCatch)})`,
    '',
    '| match threshold | precision | recall | F1 | possible band catches |',
    '|---|---|---|---|---|',
  ];
  for (const match of [0.8, 0.84, 0.88, 0.9, 0.92, 0.94, 0.96, 0.98, 1]) {
    const e = evaluateMatching(set, { match, review: Math.min(thresholds.review, match) });
    lines.push(`| ${match.toFixed(2)}${match === thresholds.match ? ' (configured)' : ''} | ${e.precision.toFixed(4)} | ${e.recall.toFixed(4)} | ${e.f1.toFixed(4)} | ${pct(e.possibleCatch)} |`);
  }
  if (at.wrong.length > 0) lines.push('', 'Wrong matches at the configured threshold:', ...at.wrong.slice(0, 10).map((w) => `  ${w.query} → ${w.matched} (${w.kind}) ${w.score} [${w.matchedOn.join(', ')}]`));
  lines.push('', `(${((Date.now() - started) / 1000).toFixed(1)} s)`);
  process.stdout.write(`${lines.join('\n')}\n`);
  const met = at.precision >= TARGETS.precision && at.recall >= TARGETS.recall && at.possibleCatch >= TARGETS.possibleCatch;
  if (!met) {
    process.stderr.write('Targets missed.\n');
    process.exitCode = 1;
  }
}

main();
