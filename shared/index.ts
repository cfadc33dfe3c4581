export { nhsNumberProblem, isValidNhsNumber, nhsCheckDigit, normaliseNhsNumber } from './nhs-number';
export {
  ErrorCode, graphqlError, formattedError, badUserInput, badRequest, unauthenticated, agencyUnavailable, boundMessage, createErrorFormatter,
  type ErrorExtensions, type ExtensionsOf, type HttpExtension, type ErrorLocation,
} from './errors';
export { createLogger, type Logger } from './logger';
export { readEnv, env, isDevelopment, ConfigError, type Env } from './config';
export { openAgencyDatabase, openServingDatabase, inTransaction, type Database, type AgencyDatabase, type AgencyDatabaseOptions } from './database';
export { migrate } from './migrate';
export { auditWriterRole, ensureServiceRole } from './service-role';
export { checkAppendDefiner, checkServingLogin, ensureServingLogin, loginOf, pendingMigrations, scramVerifier, servingLoginVariable } from './serving-login';
export { createRowLoader, createListLoader } from './loaders';
export { insertRows } from './insert-rows';
export { listen, type HttpService, type HttpServiceOptions } from './http-server';
export { localLandingPage } from './landing-page';
export { createSubgraph, defineAgency, type AgencyDefinition, type SubgraphContext, type SubgraphDeps, type Subgraph } from './create-subgraph';
export { loadSubgraphConfig, type SubgraphConfig } from './subgraph-config';
export { startAgency, migrateAgency, prepareAgencyDatabase, openOwnerDatabase, runAgencyMain, isEmpty, type RunningAgency, type SeedFunction, type SeedOptions } from './start-agency';
export { runUntilSignal } from './run-until-signal';
export { validateNhsNumberArg, validateNhsNumberList, MAX_CHILDREN_PER_CALL } from './nhs-number-args';
export { quoteInput, hasUnprintable, validateNameArg, validatePostcodeArg, validateDateArg, validateDateTimeArg, isIsoDateTime, validateIdentifierArg, validateTextArg, ECHO_LENGTH, NAME_MAX_LENGTH } from './input-validation';
export { PURPOSES, ORG_TYPES, ROLES, BREAK_GLASS_MIN_LENGTH, BREAK_GLASS_MAX_LENGTH, callerSchema, authoritySchema, type Purpose, type OrgType, type Role, type Caller, type Authority } from './authority';
export { CONTEXT_HEADER, createContextSigner, createContextVerifier, createSdlRequestSigner } from './internal-context';
export { createKeyPair, loadOrCreateDevKeyPair, readJson, DEV_KEYS_DIR, DEV_GATEWAY_KEY_PATH, DEV_PERSONA_KEY_PATH, type KeyPair } from './dev-keys';
export { demoPersona, demoPersonas, signPersonaToken, DEV_AUDIENCE, DEV_ISSUER } from './demo-personas';
export { loadPolicyFile, loadPolicies, PolicyFileError, policyFileSchema, ruleSchema, type PolicyFile, type Rule } from './policy-file';
export {
  decideForCaller, decideForRecord, decideFieldForCaller, decideGroupsForRecord, compileGroupsForRecord, callerAttributesKey, needsRecord, factsNeeded,
  type Policies, type CallerDecision, type RecordFacts, type FieldDecision, type FactsNeeded,
} from './policy-decision';
export { readPolicyMap, stripPolicyFeatures, type PolicyMap } from './policy-map';
export { filterOperation, restoreDenied, type Denial, type DeniedPath, type FilteredOperation, type ForbiddenError } from './filter-operation';
export { createOperationAuthorization, type AuthorizationMode, type OperationAuthorizationOptions } from './authorize-operation';
export { applyRecordRules, recordLevelCoordinates, forbidden, declareFields, type RecordFactsOf } from './record-rules';
export * from './matching';
export * from './record-matching';
export { AUDIT_MIGRATIONS_DIR, migrateAudit, appendAudit, AUDIT_HEAD_EXTENSION, purgeAudit, createAuditCollector, createAuditPlugin, auditUnavailable, type AuditEntry, type AuditCollector, type AuditHead } from './audit';
export { auditRowsForChild, accessEntriesPage, AUDIT_PAGE, DEFAULT_PERIOD_DAYS, decodeCursor, encodeCursor, compareCursors, type AccessCursor, type AuditPeriod, type ChildAuditRow } from './audit-pages';
export { checkWitnessedHeads, verifyAuditChain, type AuditBreak, type VerifyOptions, type WitnessedHead } from './audit-chain';
export { accessLogPage, accessLogPeers, accessLogSdl, accessLogPolicies, accessLogResolvers, readAgencySdl, type AccessLogPage } from './access-log';
export { RELATED_CHILDREN_EXTENSION } from './related-children';
export { createOperationLimits, exceededLimit, measureOperations, countTokens, queryTooComplex, operationLimitsShape, operationLimitsFrom, DEFAULT_OPERATION_LIMITS, OPERATION_LIMIT_VARIABLES, type OperationLimits, type OperationLimit, type OperationLimitsOptions, type CostModel, type OperationMeasures, type LimitExceeded } from './operation-limits';
