// The subgraph kit: one way to build and run an agency's subgraph (and the HTTP, signed context, limits and
// landing page the gateway uses too), its Apollo Server plugins (plugins/) and record matching for agencies
// that hold no NHS number. Imports every other room; no room imports it.
export { createSubgraph, type AgencyDefinition, type SubgraphContext } from './create-subgraph';
export { defineAgency, readAgencySdl } from './define-agency';
export { migrateAgency, openOwnerDatabase, prepareAgencyDatabase, runAgencyMain, startAgency, type RunningAgency, type SeedFunction } from './start-agency';
export { loadSubgraphConfig, type SubgraphConfig } from './subgraph-config';
export { listen, type HttpService, type HttpServiceOptions } from './http-server';
export { CONTEXT_HEADER, createContextSigner, createContextVerifier, createSdlRequestSigner } from './internal-context';
export { createListLoader, createRowLoader } from './loaders';
export { insertRows } from './insert-rows';
export { validateNhsNumberArg, validateNhsNumberList } from './nhs-number-args';
export {
  countTokens,
  DEFAULT_OPERATION_LIMITS,
  exceededLimit,
  measureOperations,
  operationLimitsFrom,
  operationLimitsShape,
  type OperationLimit,
  type OperationLimits,
} from './operation-limits';
export { RELATED_CHILDREN_EXTENSION } from './related-children';
export { runUntilSignal } from './run-until-signal';
export {
  BLOCKING_MIGRATIONS,
  childDemographics,
  defineRecordMatching,
  MATCHING_SQL,
  readMatchingDeclaration,
  requiredDemographics,
  type CandidateRow,
  type ChildDemographics,
  type Match,
  type MatchSettings,
} from './record-matching';
export { auditPlugin } from './plugins/audit-plugin';
export { landingPagePlugin } from './plugins/landing-page-plugin';
export { operationAuthorizationPlugin, type AuthorizationMode } from './plugins/operation-authorization-plugin';
export { operationLimitsParseOptions, operationLimitsPlugin } from './plugins/operation-limits-plugin';
