export { createGateway, type Gateway, type GatewayOptions } from './create-gateway';
export { startGateway, type RunningGateway } from './start-gateway';
export { loadGatewayConfig, loadSubgraphUrls, AGENCIES, DEFAULT_POLICY_FILES, type GatewayConfig } from './config';
export { composeSupergraph, composeFromSubgraphs, fetchSubgraphSdl, CompositionError, type SubgraphSource } from './compose';
export { RedisKeyValueCache } from './redis-cache';
export { OperationShapeCache, hasLiteralValues } from './operation-shape-cache';
export { createAuthenticator, badRequest, type AuthenticatorOptions } from './authenticate';
export type { GatewayContext } from './agency-data-source';
