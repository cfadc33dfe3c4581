// Matching: comparing and scoring people's demographics (Fellegi–Sunter), blocking, estimating a model and deciding
// a match. Pure functions over records: no database, no GraphQL. Imports no other room.
export { normaliseDate, normalisePostcode, postcodeSector, swapDayAndMonth } from './normalise';
export { editDistance, jaroWinkler } from './similarity';
export { compareRecords, FIELD_LEVELS, FIELD_NAMES, MISSING, prepare, type Demographics, type FieldName, type Prepared } from './compare';
export { createScorer, probabilityOf, weightOf, type MatchModel, type Score, type Scorer } from './model';
export { combineEstimates, createPatternCounter, estimateModel, estimateU, type Estimate } from './estimate';
export { BLOCKING_RULES, createBlockingIndex } from './blocking';
export { addressKey, nameKey } from './blocking-keys';
export { decideMatch, decideScored, type MatchThresholds } from './decide';
export { DECISION_ERROR, decisionThresholds, DEFAULT_THRESHOLDS } from './thresholds';
export { DEFAULT_MODEL, defaultScorer, scoreDemographics } from './default-model';
