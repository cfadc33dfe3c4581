// The public face of shared/: what code outside it (the gateway, the subgraphs, the web app, tools, benchmarks,
// tests) may use, taken from each room's own index. Inside shared/, a room imports another only through that
// room's index, never through this file (docs/architecture.md, "Where code lives").
export {
  agencyUnavailable, badRequest, badUserInput, boundMessage, BREAK_GLASS_MAX_LENGTH, BREAK_GLASS_MIN_LENGTH, callerSchema, ConfigError,
  createErrorFormatter, createKeyPair, createLogger, demoPersona, demoPersonas, DEV_AUDIENCE, DEV_GATEWAY_KEY_PATH, DEV_ISSUER, DEV_KEYS_DIR,
  DEV_PERSONA_KEY_PATH, env, ErrorCode, formattedError, graphqlError, hasUnprintable, isDevelopment, isValidNhsNumber, loadOrCreateDevKeyPair,
  nhsCheckDigit, nhsNumberProblem, normaliseNhsNumber, ORG_TYPES, PURPOSES, quoteInput, readEnv, readJson, ROLES, signPersonaToken,
  unauthenticated, validateDateArg, validateDateTimeArg, validateIdentifierArg, validateNameArg, validatePostcodeArg, validateTextArg,
  type Authority, type Env, type KeyPair, type Logger, type OrgType, type Purpose, type Role,
} from './common';
export {
  auditWriterRole, ensureServiceRole, ensureServingLogin, inTransaction, loginOf, migrate, openAgencyDatabase, openServingDatabase,
  scramVerifier, servingLoginVariable, type AgencyDatabase, type Database,
} from './database';
export {
  accessLogPolicies, applyRecordRules, compileGroupsForRecord, decideFieldForCaller, decideForCaller, decideGroupsForRecord, declareFields,
  factsNeeded, filterOperation, loadPolicies, loadPolicyFile, PolicyFileError, readPolicyMap, recordLevelCoordinates, stripPolicyFeatures,
  type DeniedPath, type FactsNeeded, type Policies, type PolicyMap, type RecordFacts, type RecordFactsOf, type Rule,
} from './policy';
export {
  accessEntriesPage, accessLogPage, accessLogPeers, appendAudit, AUDIT_HEAD_EXTENSION, AUDIT_MIGRATIONS_DIR, auditRowsForChild,
  checkWitnessedHeads, compareCursors, createAuditCollector, DEFAULT_PERIOD_DAYS, migrateAudit, purgeAudit, verifyAuditChain,
  type AccessCursor, type AuditEntry, type AuditHead, type WitnessedHead,
} from './audit';
export {
  addressKey, BLOCKING_RULES, combineEstimates, compareRecords, createBlockingIndex, createPatternCounter, createScorer, decideMatch,
  decideScored, DECISION_ERROR, decisionThresholds, DEFAULT_MODEL, DEFAULT_THRESHOLDS, defaultScorer, editDistance, estimateModel, estimateU,
  FIELD_LEVELS, FIELD_NAMES, jaroWinkler, MISSING, nameKey, normaliseDate, normalisePostcode, postcodeSector, prepare, probabilityOf,
  scoreDemographics, swapDayAndMonth, weightOf,
  type Demographics, type Estimate, type FieldName, type MatchModel, type MatchThresholds, type Prepared, type Score, type Scorer,
} from './matching';
export {
  auditPlugin, BLOCKING_MIGRATIONS, childDemographics, CONTEXT_HEADER, countTokens, createContextSigner, createContextVerifier, createListLoader,
  createRowLoader, createSdlRequestSigner, createSubgraph, DEFAULT_OPERATION_LIMITS, defineAgency, defineRecordMatching, exceededLimit,
  insertRows, landingPagePlugin, listen, loadSubgraphConfig, MATCHING_SQL, measureOperations, migrateAgency, openOwnerDatabase,
  operationAuthorizationPlugin, operationLimitsFrom, operationLimitsParseOptions, operationLimitsPlugin, operationLimitsShape,
  prepareAgencyDatabase, readAgencySdl, readMatchingDeclaration, RELATED_CHILDREN_EXTENSION, runAgencyMain, runUntilSignal, startAgency,
  validateNhsNumberArg, validateNhsNumberList,
  type AgencyDefinition, type AuthorizationMode, type CandidateRow, type ChildDemographics, type HttpService, type HttpServiceOptions,
  type Match, type MatchSettings, type OperationLimit, type OperationLimits, type RunningAgency, type SeedFunction, type SubgraphConfig,
  type SubgraphContext,
} from './kit';
