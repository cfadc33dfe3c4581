import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DECISION_ERROR, DEFAULT_MODEL, FIELD_LEVELS, type MatchModel, type MatchThresholds } from '../../shared';
import { matching as housingMatching } from '../../subgraphs/housing/store';
import { buildLabelledSet } from '../../synthetic';
import { evaluateAt, explain, link, type Linkage, type LinkageTask } from './evaluate';
import { readFebrl } from './febrl';
import { febrlTask, syntheticTask } from './tasks';

/**
 * `npm run eval:matching [-- --children 40000 --seed 1 --as-of 2026-11-25 --febrl PATH … --model estimate|default --write-model]`:
 * evaluates matching on the project's labelled set (built as on `--as-of`, so
 * that the figures are the same every day) and on FEBRL data sets (each
 * duplicate looking for its original), each with a model estimated from that
 * set alone without its labels (or, for the labelled set, the shipped model), and
 * prints blocking recall and candidates, the m/u table, precision, recall, F1,
 * how many of the true pairs not matched the possible-match band catches, and
 * a table over match thresholds. Exits non-zero when a target is missed on any
 * set. `--write-model` saves the labelled set's estimate as the model the
 * subgraphs score with.
 */
const TARGETS = { precision: 0.995, recall: 0.95, possibleCatch: 0.99 };
const DEFAULT_FEBRL = join(__dirname, '..', '..', '..', 'shared', 'data', 'febrl', 'dataset3.csv');
const MODEL_PATH = join(__dirname, '..', '..', 'shared', 'matching', 'default-model.json');

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const int = (n: number) => n.toLocaleString('en-GB');

function modelTable(model: MatchModel): string[] {
  const lines = ['| field | level | m | u | weight (bits) |', '|---|---|---|---|---|'];
  for (const f of model.fields) {
    FIELD_LEVELS[f.field].forEach((level, i) => {
      lines.push(`| ${i === 0 ? f.field : ''} | ${level} | ${f.m[i]!.toFixed(4)} | ${f.u[i]!.toExponential(2)} | ${Math.log2(f.m[i]! / f.u[i]!).toFixed(1)} |`);
    });
  }
  return lines;
}

function report(linkage: Linkage, thresholds: MatchThresholds, title: string): { lines: string[]; met: boolean } {
  const { task, estimate } = linkage;
  const at = evaluateAt(linkage, thresholds);
  const lines = [
    `== ${title}`,
    `${int(task.queries.length)} queries, ${int(task.records.length)} records, ${int(linkage.truePairs)} true pairs`,
    `Blocking: ${int(linkage.candidatePairs)} candidate pairs (${(linkage.candidatePairs / task.queries.length).toFixed(1)} a query); blocking recall ${linkage.blockingRecall.toFixed(4)}`,
    estimate
      ? `Model estimated from this set without its labels: EM over the candidate pairs, ${estimate.iterations} iterations (${estimate.converged ? 'converged' : 'not converged'}), ${int(Math.round(estimate.prior * estimate.pairs))} matches expected; u from random pairs; prior ${linkage.model.prior.toExponential(3)} a random pair`
      : `Model: the shipped default (prior ${linkage.model.prior.toExponential(3)})`,
    '',
    ...modelTable(linkage.model),
    '',
    `At match threshold ${thresholds.match}, review threshold ${thresholds.review}:`,
    `  precision ${at.precision.toFixed(4)} (target ≥ ${TARGETS.precision}), recall ${at.recall.toFixed(4)} (target ≥ ${TARGETS.recall}), F1 ${at.f1.toFixed(4)}`,
    `  matches ${int(at.matches)}, correct ${int(at.correctMatches)}; possible-match band catches ${pct(at.possibleCatch)} of the true pairs not matched (target ≥ ${pct(TARGETS.possibleCatch)})`,
    `  ${int(at.possibleQueries)} queries answered with possible matches only (${int(at.proposals)} proposals for people to confirm or reject)`,
    '',
    '| match threshold | precision | recall | F1 | possible band catches | proposals |',
    '|---|---|---|---|---|---|',
  ];
  for (const match of [0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999]) {
    const e = evaluateAt(linkage, { match, review: Math.min(thresholds.review, match) });
    lines.push(
      `| ${match}${match === thresholds.match ? ' (configured)' : ''} | ${e.precision.toFixed(4)} | ${e.recall.toFixed(4)} | ${e.f1.toFixed(4)} | ${pct(e.possibleCatch)} | ${int(e.proposals)} |`,
    );
  }
  if (at.wrong.length > 0) {
    lines.push('', 'Wrong matches at the configured thresholds:');
    for (const w of at.wrong.slice(0, 10)) {
      const s = explain(linkage, w.query, w.matched);
      lines.push(`  query ${w.query} → ${task.describe?.(w.matched) ?? w.matched}: ${s.probability.toFixed(4)} [${s.matchedOn.join(', ')}]`);
    }
  }
  const met = at.precision >= TARGETS.precision && at.recall >= TARGETS.recall && at.possibleCatch >= TARGETS.possibleCatch;
  return { lines: [...lines, met ? 'Targets met.' : 'Targets missed.', ''], met };
}

function rounded(model: MatchModel): MatchModel {
  const r = (x: number) => Number(x.toPrecision(6));
  return { prior: r(model.prior), fields: model.fields.map((f) => ({ field: f.field, m: f.m.map(r), u: f.u.map(r) })) };
}

function main() {
  const { values } = parseArgs({
    options: {
      children: { type: 'string', default: '40000' },
      seed: { type: 'string', default: '1' },
      'as-of': { type: 'string', default: '2026-11-25' },
      febrl: { type: 'string', multiple: true },
      model: { type: 'string', default: 'estimate' },
      'write-model': { type: 'boolean', default: false },
    },
  });
  if (values.model !== 'estimate' && values.model !== 'default')
    throw new TypeError(`--model must be estimate or default, not ${JSON.stringify(values.model)}`);
  const { thresholds } = housingMatching.readSettings(process.env);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(values['as-of'])) throw new TypeError(`--as-of must be a date YYYY-MM-DD, not ${JSON.stringify(values['as-of'])}`);
  // The shipped model is for children's demographics here; a FEBRL set is always estimated from itself.
  const shipped = values.model === 'default' ? { model: DEFAULT_MODEL } : {};
  const started = Date.now();
  process.stdout.write(
    `Thresholds from the rule (shared/matching/thresholds.ts): decide alone at a probability of at least ${1 - DECISION_ERROR}, set aside below ${DECISION_ERROR}; configured: match ${thresholds.match}, review ${thresholds.review}\n\n`,
  );
  const tasks: [string, () => LinkageTask, { model?: MatchModel }][] = [
    [
      `Synthetic labelled set (seed ${values.seed}, ${int(Number(values.children))} children, as on ${values['as-of']})`,
      () => syntheticTask(buildLabelledSet({ children: Number(values.children), seed: Number(values.seed), asOf: values['as-of'] }), 'synthetic'),
      shipped,
    ],
    ...(values.febrl ?? [DEFAULT_FEBRL]).map((path): [string, () => LinkageTask, { model?: MatchModel }] => [
      `FEBRL ${path} (each duplicate looking for its original)`,
      () => febrlTask(readFebrl(path), path),
      {},
    ]),
  ];
  let met = true;
  for (const [title, make, model] of tasks) {
    const linkage = link(make(), model);
    const out = report(linkage, thresholds, title);
    process.stdout.write(`${out.lines.join('\n')}\n`);
    met &&= out.met;
    if (values['write-model'] && title.startsWith('Synthetic') && linkage.estimate) {
      writeFileSync(MODEL_PATH, `${JSON.stringify(rounded(linkage.model), null, 2)}\n`);
      process.stdout.write(`Wrote the estimate to ${MODEL_PATH}\n\n`);
    }
  }
  process.stdout.write(`(${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  if (!met) {
    process.stderr.write('Targets missed.\n');
    process.exitCode = 1;
  }
}

main();
