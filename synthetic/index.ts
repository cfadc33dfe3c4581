export { createPopulation, populationFor, syntheticNhsNumbers, DEMO_CHILD_COUNT } from './population';
export type { Population, Child, Household, Address, SocialCareStatus } from './population';
export { localAuthority } from './directory';
export type { Directory } from './directory';
export { addDays, ageOn, today } from './dates';
export { createRandom, type Random } from './random';
export { buildLabelledSet, type LabelledSet, type LabelledRecord, type MatchQuery } from './matching-set';
