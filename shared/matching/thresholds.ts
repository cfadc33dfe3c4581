import type { MatchThresholds } from './decide';

/**
 * The largest chance of being wrong that matching accepts in a decision it
 * takes alone, either way: one in a million. A wrong match shows one child's
 * household to people entitled to see another's; a person confirming a
 * proposal costs minutes. And a Fellegi–Sunter probability treats the fields
 * as independent, which real ones are not (a household shares its surname and
 * address, a namesake the name and date of birth), so it overstates certainty
 * by orders of magnitude: the odds asked for allow for that.
 */
export const DECISION_ERROR = 1e-6;

/**
 * The one rule the thresholds come from: a record is taken as the child's when
 * the model gives at least 1 − `error` that it is theirs, set aside when it
 * gives less than `error`, and put to a person in between.
 */
export function decisionThresholds(error = DECISION_ERROR): MatchThresholds {
  if (!(error > 0 && error < 0.5)) throw new TypeError(`decisionThresholds: error must be between 0 and 0.5, not ${error}`);
  return { match: 1 - error, review: error };
}

export const DEFAULT_THRESHOLDS: MatchThresholds = decisionThresholds();
