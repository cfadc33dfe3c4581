import {
  BLOCKING_RULES,
  combineEstimates,
  compareRecords,
  createBlockingIndex,
  createPatternCounter,
  createScorer,
  decideScored,
  estimateModel,
  estimateU,
  FIELD_NAMES,
  MISSING,
  prepare,
  probabilityOf,
  type Demographics,
  type Estimate,
  type FieldName,
  type MatchModel,
  type MatchThresholds,
  type Prepared,
  type Scorer,
} from '../../shared';
import { createRandom } from '../../synthetic';

/**
 * A linkage to evaluate: each query looks for its own record among `records`,
 * as housing does for each child. `own[q]` is the index of query q's own
 * record, or -1 when it has none there.
 */
export interface LinkageTask {
  name: string;
  queries: readonly Demographics[];
  records: readonly Demographics[];
  own: Int32Array;
  /** What a record is, for reading wrong matches (a decoy's kind, say). */
  describe?: (record: number) => string;
}

interface Candidate {
  candidate: number;
  probability: number;
  weight: number;
  score: number;
  matchedOn: string[];
}

/** A task blocked and scored once, to be decided at any thresholds. */
export interface Linkage {
  task: LinkageTask;
  model: MatchModel;
  /** The EM estimate over candidate pairs, when the model was estimated from this task (its u and prior are then replaced: see combineEstimates). */
  estimate: Estimate | null;
  scorer: Scorer;
  queries: Prepared[];
  records: Prepared[];
  candidatePairs: number;
  /** Of the queries with an own record, the share whose own record is a candidate. */
  blockingRecall: number;
  truePairs: number;
  scored: Candidate[][];
  postcodeUsable: boolean[];
}

/** The fields both sides of a task hold at all: a field one side never has is no evidence either way, and is left out of the model. */
export function fieldsHeld(queries: readonly Prepared[], records: readonly Prepared[]): FieldName[] {
  const held = (side: readonly Prepared[]) => {
    const levels = new Int8Array(FIELD_NAMES.length);
    const found = new Set<FieldName>();
    for (const r of side) {
      compareRecords(r, r, FIELD_NAMES, levels);
      FIELD_NAMES.forEach((f, i) => levels[i] !== MISSING && found.add(f));
    }
    return found;
  };
  const q = held(queries);
  const r = held(records);
  return FIELD_NAMES.filter((f) => q.has(f) && r.has(f));
}

/**
 * Estimates a model from a task without looking at its labels, as a
 * deployment must: m and the number of matches by EM over the candidate pairs,
 * u from a million random pairs (see combineEstimates).
 */
export function estimateFor(
  queries: readonly Prepared[],
  records: readonly Prepared[],
  candidates: readonly Int32Array[],
  uSamples = 1_000_000,
): { estimate: Estimate; model: MatchModel } {
  const fields = fieldsHeld(queries, records);
  const counter = createPatternCounter(fields);
  const levels = new Int8Array(fields.length);
  candidates.forEach((c, q) => c.forEach((r) => counter.add(compareRecords(queries[q]!, records[r]!, fields, levels))));
  const estimate = estimateModel(counter.result());
  const random = createRandom(1);
  const u = estimateU(queries, records, fields, (below) => Math.floor(random.next() * below), uSamples);
  return { estimate, model: combineEstimates(estimate, u, queries.length * records.length) };
}

/**
 * Blocks the task with the subgraphs' rules and scores every candidate pair,
 * with the given model or one estimated from the task (u from `uSamples`
 * random pairs, a million unless given).
 */
export function link(task: LinkageTask, options: { model?: MatchModel; uSamples?: number } = {}): Linkage {
  const queries = task.queries.map(prepare);
  const records = task.records.map(prepare);
  const index = createBlockingIndex(records, BLOCKING_RULES);
  const candidates = queries.map((q) => index.candidates(q));
  let candidatePairs = 0;
  let truePairs = 0;
  let blocked = 0;
  candidates.forEach((c, q) => {
    candidatePairs += c.length;
    if (task.own[q]! < 0) return;
    truePairs++;
    if (c.includes(task.own[q]!)) blocked++;
  });
  const estimated = options.model ? null : estimateFor(queries, records, candidates, options.uSamples);
  const model = options.model ?? estimated!.model;
  const scorer = createScorer(model);
  // The explanation is worked out only for what is read (see explain): the weight decides.
  const scored = candidates.map((c, q) =>
    [...c].map((r) => {
      const weight = scorer.weight(queries[q]!, records[r]!);
      const probability = probabilityOf(weight);
      return { candidate: r, probability, weight, score: probability, matchedOn: [] };
    }),
  );
  return {
    task,
    model,
    estimate: estimated?.estimate ?? null,
    scorer,
    queries,
    records,
    candidatePairs,
    truePairs,
    blockingRecall: truePairs === 0 ? 1 : blocked / truePairs,
    scored,
    postcodeUsable: queries.map((q) => q.addresses.some((a) => a.postcode !== null)),
  };
}

export interface Evaluation {
  thresholds: MatchThresholds;
  matches: number;
  correctMatches: number;
  precision: number;
  recall: number;
  f1: number;
  /** Of the true pairs not matched, the share whose own record is among the possible matches. */
  possibleCatch: number;
  /** Queries answered with possible matches only, and the proposals made to them: the work left to people. */
  possibleQueries: number;
  proposals: number;
  /** Wrong matches: the query, and the record it was matched to. */
  wrong: { query: number; matched: number }[];
}

/** Decides every query of a linkage at the thresholds, with the subgraphs' decision, and counts what came out. */
export function evaluateAt(linkage: Linkage, thresholds: MatchThresholds): Evaluation {
  const { task } = linkage;
  let matches = 0;
  let correct = 0;
  let unmatchedTrue = 0;
  let caught = 0;
  let possibleQueries = 0;
  let proposals = 0;
  const wrong: Evaluation['wrong'] = [];
  linkage.scored.forEach((scored, q) => {
    const decision = decideScored(scored, thresholds, { postcodeUsable: linkage.postcodeUsable[q]! });
    const own = task.own[q]!;
    const matchedOwn = decision.outcome === 'match' && decision.best.candidate === own;
    if (decision.outcome === 'match') {
      matches++;
      if (matchedOwn) correct++;
      else wrong.push({ query: q, matched: decision.best.candidate });
    }
    if (decision.outcome === 'possible') {
      possibleQueries++;
      proposals += decision.candidates.length;
    }
    if (own >= 0 && !matchedOwn) {
      unmatchedTrue++;
      if (decision.outcome === 'possible' && decision.candidates.some((c) => c.candidate === own)) caught++;
    }
  });
  const precision = matches === 0 ? 1 : correct / matches;
  const recall = linkage.truePairs === 0 ? 1 : correct / linkage.truePairs;
  return {
    thresholds,
    matches,
    correctMatches: correct,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    possibleCatch: unmatchedTrue === 0 ? 1 : caught / unmatchedTrue,
    possibleQueries,
    proposals,
    wrong,
  };
}

/** A pair's score and explanation, for reading. */
export function explain(linkage: Linkage, query: number, record: number): { score: number; probability: number; matchedOn: string[] } {
  return linkage.scorer.score(linkage.queries[query]!, linkage.records[record]!);
}
