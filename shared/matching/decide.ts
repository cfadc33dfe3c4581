import { scoreDemographics, type Demographics, type Score } from './score';

export interface MatchThresholds {
  /** At or above: the record is taken as this child's. */
  match: number;
  /** At or above (and below `match`): proposed for a person to confirm or reject, with no record data. */
  review: number;
}

export interface ScoredCandidate<C> extends Score {
  candidate: C;
}

export type MatchDecision<C> =
  | { outcome: 'match'; best: ScoredCandidate<C> }
  | { outcome: 'possible'; candidates: ScoredCandidate<C>[] }
  | { outcome: 'none' };

/** At most this many possible matches are proposed for one child. */
export const MAX_POSSIBLE_MATCHES = 5;

/**
 * Decides what a set of candidates means for one child. A match needs one
 * candidate at or above the match threshold and no other there: two records
 * that both look like the child are an ambiguity for a person to resolve, never
 * a silent choice. Without a usable postcode, nothing is more than possible.
 */
export function decideMatch<C>(
  query: Demographics,
  candidates: readonly { candidate: C; demographics: Demographics }[],
  thresholds: MatchThresholds,
  options: { postcodeWithheld?: boolean } = {},
): MatchDecision<C> {
  const scored = candidates
    .map(({ candidate, demographics }) => ({ candidate, ...scoreDemographics(query, demographics, options) }))
    .filter((s) => s.score >= thresholds.review)
    .sort((a, b) => b.score - a.score);
  const atMatch = scored.filter((s) => s.score >= thresholds.match);
  if (atMatch.length === 1 && !options.postcodeWithheld && query.postcodes?.length) return { outcome: 'match', best: atMatch[0]! };
  if (scored.length > 0) return { outcome: 'possible', candidates: scored.slice(0, MAX_POSSIBLE_MATCHES) };
  return { outcome: 'none' };
}
