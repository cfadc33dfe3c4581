import { prepare, type Demographics } from './compare';
import { defaultScorer } from './default-model';
import type { Score, Scorer } from './model';

/** Probabilities (from the model) that a decision needs. */
export interface MatchThresholds {
  /** At or above: the record is taken as this child's. */
  match: number;
  /** At or above (and below `match`): proposed for a person to confirm or reject, with no record data. */
  review: number;
}

export interface ScoredCandidate<C> extends Score {
  candidate: C;
}

export type MatchDecision<C> = { outcome: 'match'; best: ScoredCandidate<C> } | { outcome: 'possible'; candidates: ScoredCandidate<C>[] } | { outcome: 'none' };

/** At most this many possible matches are proposed for one child. */
export const MAX_POSSIBLE_MATCHES = 5;

/**
 * Decides what a set of scored candidates means for one query. A match needs
 * one candidate at or above the match threshold and no other there: two
 * records that both look like the child are an ambiguity for a person to
 * resolve, never a silent choice. Without a usable postcode, nothing is more
 * than possible.
 */
export function decideScored<C>(scored: readonly ScoredCandidate<C>[], thresholds: MatchThresholds, options: { postcodeUsable: boolean }): MatchDecision<C> {
  const above = scored.filter((s) => s.probability >= thresholds.review).sort((a, b) => b.probability - a.probability || b.score - a.score);
  const atMatch = above.filter((s) => s.probability >= thresholds.match);
  if (atMatch.length === 1 && options.postcodeUsable) return { outcome: 'match', best: atMatch[0]! };
  if (above.length > 0) return { outcome: 'possible', candidates: above.slice(0, MAX_POSSIBLE_MATCHES) };
  return { outcome: 'none' };
}

/**
 * Scores each candidate against the query (with the default model unless a
 * scorer is given) and decides. `postcodeWithheld` marks a query whose postcode
 * exists but could not be used (a restricted child).
 */
export function decideMatch<C>(
  query: Demographics,
  candidates: readonly { candidate: C; demographics: Demographics }[],
  thresholds: MatchThresholds,
  options: { postcodeWithheld?: boolean; scorer?: Scorer } = {},
): MatchDecision<C> {
  const scorer = options.scorer ?? defaultScorer;
  const q = prepare(query);
  const scored = candidates.map(({ candidate, demographics }) => ({ candidate, ...scorer.score(q, prepare(demographics), options) }));
  const postcodeUsable = !options.postcodeWithheld && q.addresses.some((a) => a.postcode !== null);
  return decideScored(scored, thresholds, { postcodeUsable });
}
