export { createGateway, type Gateway, type GatewayOptions } from './create-gateway';
export { startGateway, type RunningGateway } from './start-gateway';
export { loadGatewayConfig, loadSubgraphUrls, DEFAULT_POLICY_FILES, type GatewayConfig } from './config';
export { apiSchemaSdl, breakingChanges } from './api-schema';
export { composeSupergraph, composeFromSubgraphs, fetchSubgraphSdl, CompositionError, type SubgraphSource } from './compose';
export { RedisKeyValueCache } from './redis-cache';
export { OperationShapeCache, hasLiteralValues } from './operation-shape-cache';
export { createAuthenticator, type AuthenticatorOptions } from './authenticate';
export { AgencyDataSource, requestDeadline, type GatewayContext } from './agency-data-source';
export { MemorySharedState, RedisSharedState, type SharedState } from './shared-state';
export { createBreakGlassGrants, type BreakGlassGrants } from './break-glass-grants';
export { createGatewayAudit, verifyGatewayAudit, witnessedHeads, type GatewayAuditEntry, type GatewayWitnessLine, type WitnessedAt } from './gateway-audit';
export { gatewayAuditPlugin } from './plugins/gateway-audit-plugin';
export { operationSubjects, type OperationSubjects, type SubjectField } from './operation-subjects';
export { traceIdHeaderPlugin, TRACE_ID_HEADER } from './plugins/trace-id-header-plugin';
export {
  createRateLimiter,
  DEFAULT_RATE_LIMITS,
  RATE_LIMIT_VARIABLES,
  type RateLimits,
  type RateLimit,
  type RateLimitExceeded,
  type RateLimiter,
  type Volume,
} from './rate-limits';
export { rateLimitsPlugin, volumeOf } from './plugins/rate-limits-plugin';
export {
  trustedDocuments,
  trustedDocumentHash,
  loadTrustedDocumentManifests,
  DEFAULT_TRUSTED_DOCUMENTS_DIR,
  CLIENT_NAME_HEADER,
  type TrustedDocuments,
  type TrustedDocumentsMode,
  type TrustedDocumentManifests,
} from './trusted-documents';
