import { decideMatch, normalisePostcode, swapDayAndMonth, type MatchThresholds } from '../../shared';
import type { LabelledRecord, LabelledSet } from '../../synthetic';

export interface Evaluation {
  thresholds: MatchThresholds;
  queries: number;
  records: number;
  /** Queries whose own record is in the set. */
  truePairs: number;
  matches: number;
  correctMatches: number;
  precision: number;
  recall: number;
  f1: number;
  /** Of the true pairs not matched, the share whose own record is among the possible matches. */
  possibleCatch: number;
  /** Wrong matches, for reading. */
  wrong: { query: string; matched: string; kind: string; score: number; matchedOn: string[] }[];
}

/**
 * Runs housing's matching over a labelled set, exactly as the housing subgraph
 * does: candidates blocked on date of birth (as given or with day and month
 * swapped) and on the property's postcode, scored by the shared scorer against
 * the property's and the member's recorded postcodes, and decided with the
 * thresholds.
 */
export function evaluateMatching(set: LabelledSet, thresholds: MatchThresholds): Evaluation {
  const byDob = new Map<string, LabelledRecord[]>();
  const byPostcode = new Map<string, LabelledRecord[]>();
  const add = (map: Map<string, LabelledRecord[]>, key: string, r: LabelledRecord) => map.set(key, [...(map.get(key) ?? []), r]);
  for (const r of set.records) {
    add(byDob, r.dateOfBirth, r);
    add(byPostcode, normalisePostcode(r.propertyPostcode), r);
  }
  const owners = new Set(set.records.map((r) => r.truth).filter((t): t is string => t !== null));
  let matches = 0;
  let correct = 0;
  let unmatchedTrue = 0;
  let caught = 0;
  const wrong: Evaluation['wrong'] = [];
  for (const q of set.queries) {
    const swapped = swapDayAndMonth(q.dateOfBirth);
    const candidates = new Set([...(byDob.get(q.dateOfBirth) ?? []), ...(swapped ? byDob.get(swapped) ?? [] : []), ...(byPostcode.get(normalisePostcode(q.postcode)) ?? [])]);
    const decision = decideMatch(
      { given: q.given, family: q.family, dateOfBirth: q.dateOfBirth, postcodes: [q.postcode] },
      [...candidates].map((r) => ({ candidate: r, demographics: { given: r.given, family: r.family, dateOfBirth: r.dateOfBirth, postcodes: [r.propertyPostcode, r.memberPostcode] } })),
      thresholds,
    );
    const hasOwn = owners.has(q.nhsNumber);
    if (decision.outcome === 'match') {
      matches++;
      if (decision.best.candidate.truth === q.nhsNumber) correct++;
      else wrong.push({ query: q.nhsNumber, matched: decision.best.candidate.reference, kind: decision.best.candidate.kind, score: decision.best.score, matchedOn: decision.best.matchedOn });
    }
    if (hasOwn && !(decision.outcome === 'match' && decision.best.candidate.truth === q.nhsNumber)) {
      unmatchedTrue++;
      if (decision.outcome === 'possible' && decision.candidates.some((c) => c.candidate.truth === q.nhsNumber)) caught++;
    }
  }
  const precision = matches === 0 ? 1 : correct / matches;
  const recall = owners.size === 0 ? 1 : correct / owners.size;
  return {
    thresholds, queries: set.queries.length, records: set.records.length, truePairs: owners.size, matches, correctMatches: correct,
    precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    possibleCatch: unmatchedTrue === 0 ? 1 : caught / unmatchedTrue, wrong,
  };
}
