export { MATCH_FIELDS, matchingSdl, readMatchingDeclaration, requiredDemographics, type MatchField, type MatchingDeclaration } from './declaration';
export {
  BLOCKING_MIGRATIONS, DECISION_MIGRATIONS, MATCHING_SQL, blockingParameters, childDemographics, defineRecordMatching, matchRequestFor,
  type CandidateRow, type ChildDemographics, type Match, type MatchLoader, type MatchRequest, type MatchSettings, type MatchingLoaders,
  type PossibleMatch, type RecordMatching, type RecordMatchingCode,
} from './kit';
