import { compareRecords, FIELD_LEVELS, MISSING, type FieldName, type Prepared } from './compare';
import type { FieldModel, MatchModel } from './model';

/**
 * The comparison patterns of a set of candidate pairs, counted: pairs with the
 * same level on every field are one pattern, so estimation costs the same for
 * a thousand pairs or ten million.
 */
export interface PatternCounts {
  fields: readonly FieldName[];
  /** Each pattern's levels, one per field (MISSING where either side lacked it), and how many pairs had it. */
  patterns: { levels: Int8Array; count: number }[];
  pairs: number;
}

/** Collects the patterns of pairs as they are compared. */
export function createPatternCounter(fields: readonly FieldName[]) {
  const counts = new Map<number, { levels: Int8Array; count: number }>();
  let pairs = 0;
  return {
    add(levels: Int8Array) {
      let key = 0;
      for (let i = 0; i < levels.length; i++) key = key * 8 + levels[i]! + 1;
      const seen = counts.get(key);
      if (seen) seen.count++;
      else counts.set(key, { levels: Int8Array.from(levels), count: 1 });
      pairs++;
    },
    result(): PatternCounts {
      return { fields, patterns: [...counts.values()], pairs };
    },
  };
}

export interface Estimate extends MatchModel {
  iterations: number;
  converged: boolean;
  /** Candidate pairs the estimate rests on. */
  pairs: number;
}

/**
 * Estimates m, u and the prior by expectation–maximisation over the candidate
 * pairs, with no labels (Winkler 1988; as Splink and fastLink do): each pair's
 * probability of being a match given its pattern (E), then each level's share
 * among matches and non-matches weighted by those probabilities (M), until
 * nothing moves. A field either side lacks is left out of the pair's
 * likelihood. Each level starts with half a pair of each kind (a Dirichlet
 * prior), so a level never seen among matches is rare, not impossible.
 */
export function estimateModel(counts: PatternCounts, options: { maxIterations?: number; tolerance?: number } = {}): Estimate {
  const { fields, patterns, pairs } = counts;
  const maxIterations = options.maxIterations ?? 1000;
  const tolerance = options.tolerance ?? 1e-7;
  let { prior, m, u } = initial(counts);
  let iterations = 0;
  let converged = false;
  const g = new Float64Array(patterns.length);
  while (iterations < maxIterations && !converged) {
    iterations++;
    for (let k = 0; k < patterns.length; k++) {
      const levels = patterns[k]!.levels;
      let log = Math.log(prior) - Math.log(1 - prior);
      for (let f = 0; f < fields.length; f++) if (levels[f] !== MISSING) log += Math.log(m[f]![levels[f]!]!) - Math.log(u[f]![levels[f]!]!);
      g[k] = 1 / (1 + Math.exp(-log));
    }
    const next = maximise(counts, g);
    const change = Math.max(
      Math.abs(next.prior - prior),
      ...next.m.flatMap((row, f) => row.map((v, l) => Math.abs(v - m[f]![l]!))),
      ...next.u.flatMap((row, f) => row.map((v, l) => Math.abs(v - u[f]![l]!))),
    );
    ({ prior, m, u } = next);
    converged = change < tolerance;
  }
  const model: FieldModel[] = fields.map((field, f) => ({ field, m: m[f]!, u: u[f]! }));
  return { prior, fields: model, iterations, converged, pairs };
}

function maximise(counts: PatternCounts, g: Float64Array) {
  const { fields, patterns, pairs } = counts;
  const pseudo = 0.5;
  const mCount = fields.map((f) => new Array<number>(FIELD_LEVELS[f].length).fill(pseudo));
  const uCount = fields.map((f) => new Array<number>(FIELD_LEVELS[f].length).fill(pseudo));
  let matches = 0;
  patterns.forEach(({ levels, count }, k) => {
    const pm = g[k]! * count;
    const pu = (1 - g[k]!) * count;
    matches += pm;
    for (let f = 0; f < fields.length; f++) {
      if (levels[f] === MISSING) continue;
      mCount[f]![levels[f]!]! += pm;
      uCount[f]![levels[f]!]! += pu;
    }
  });
  const normalise = (row: number[]) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => v / total);
  };
  return { prior: Math.min(1 - 1e-9, Math.max(1e-9, matches / pairs)), m: mCount.map(normalise), u: uCount.map(normalise) };
}

/**
 * Where the estimate starts: u is each level's share among all candidate pairs
 * (nearly all of which are not matches), m puts 90 % on exact agreement and
 * shares the rest out so that closer levels come first, and the prior is 10 %.
 * Starting there, the first component is always the one that agrees.
 */
function initial(counts: PatternCounts) {
  const { fields, patterns } = counts;
  const u = fields.map((field, f) => {
    const row = new Array<number>(FIELD_LEVELS[field].length).fill(1);
    for (const { levels, count } of patterns) if (levels[f] !== MISSING) row[levels[f]!]! += count;
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => v / total);
  });
  const m = fields.map((field) => {
    const n = FIELD_LEVELS[field].length;
    const rest = Array.from({ length: n - 1 }, (_, i) => n - 1 - i);
    const total = rest.reduce((a, b) => a + b, 0);
    return [0.9, ...rest.map((r) => (0.1 * r) / total)];
  });
  return { prior: 0.1, m, u };
}

/**
 * u-probabilities from random pairs of a query and a record: nearly all are
 * different people, so each level's share among them is its chance among
 * non-matches. Candidate pairs cannot give this: blocking chose them for
 * agreeing, and their agreements are no longer chance. `next` draws a random
 * index below its argument (a seeded generator makes the estimate repeatable).
 */
export function estimateU(
  queries: readonly Prepared[],
  records: readonly Prepared[],
  fields: readonly FieldName[],
  next: (below: number) => number,
  samples = 1_000_000,
): number[][] {
  const counts = fields.map((f) => new Array<number>(FIELD_LEVELS[f].length).fill(0.5));
  const levels = new Int8Array(fields.length);
  const all = queries.length * records.length;
  const n = Math.min(samples, all);
  for (let i = 0; i < n; i++) {
    const k = n === all ? i : next(all);
    compareRecords(queries[k % queries.length]!, records[Math.floor(k / queries.length)]!, fields, levels);
    for (let f = 0; f < fields.length; f++) if (levels[f] !== MISSING) counts[f]![levels[f]!]! += 1;
  }
  return counts.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => v / total);
  });
}

/**
 * The model to score with: m from the EM estimate over candidate pairs; u from
 * random pairs; and the prior as the chance that a random query–record pair is
 * a match, from the matches EM expects among the candidates (blocking that
 * loses no pairs has them all). Scoring a candidate pair with these is the
 * Fellegi–Sunter weight of the pair among all pairs, so that blocking, which
 * only spares comparisons, changes no probability.
 */
export function combineEstimates(candidates: Estimate, u: number[][], allPairs: number): MatchModel {
  const matches = candidates.prior * candidates.pairs;
  return {
    prior: Math.min(0.5, Math.max(1e-12, matches / allPairs)),
    fields: candidates.fields.map((f, i) => ({ field: f.field, m: f.m, u: u[i]! })),
  };
}
