import estimated from './default-model.json';
import { prepare, type Demographics } from './compare';
import { createScorer, getValidModel, type MatchModel, type Score } from './model';

/**
 * The model the subgraphs score with: m, u and the prior estimated by EM from
 * the synthetic labelled set (`npm run eval:matching -- --write-model`), which
 * plays the agencies' records here. A deployment re-estimates it from its own
 * candidate pairs the same way.
 */
export const DEFAULT_MODEL: MatchModel = getValidModel(estimated as MatchModel);
export const defaultScorer = createScorer(DEFAULT_MODEL);

/**
 * Scores how likely two sets of demographics describe the same child, with the
 * default model. `postcodeWithheld` marks a query whose postcode exists but was
 * withheld (a restricted child).
 */
export function scoreDemographics(query: Demographics, candidate: Demographics, options: { postcodeWithheld?: boolean } = {}): Score {
  return defaultScorer.score(prepare(query), prepare(candidate), options);
}
