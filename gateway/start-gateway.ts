import { createHash } from 'node:crypto';
import { createClient } from 'redis';
import { MemorySharedState, RedisSharedState } from './shared-state';
import type { JSONWebKeySet, JWK } from 'jose';
import {
  createContextSigner,
  createLogger,
  createSdlRequestSigner,
  loadPolicies,
  DEV_GATEWAY_KEY_PATH,
  GATEWAY_KEY_ALGORITHM,
  DEV_PERSONA_KEY_PATH,
  loadOrCreateDevKeyPair,
  readJson,
  type HttpService,
  type Logger,
} from '../shared';
import { createAuthenticator } from './authenticate';
import type { GatewayConfig } from './config';
import { createGateway } from './create-gateway';
import { loadSupergraph } from './load-supergraph';
import { RedisKeyValueCache } from './redis-cache';
import { loadTrustedDocumentManifests } from './trusted-documents';

export interface RunningGateway {
  url: string;
  service: HttpService;
  stop(): Promise<void>;
}

/** Loads the supergraph, connects the shared state (Redis when configured) and serves the gateway. */
export async function startGateway(
  config: GatewayConfig,
  logger: Logger = createLogger('gateway', config.logLevel),
  options: { explorerUrl?: string } = {},
): Promise<RunningGateway> {
  const manifests = loadTrustedDocumentManifests(config.trustedDocumentsDir);
  const privateJwk = await signingKey(config, logger);
  const supergraphSdl = await loadSupergraph(config, createSdlRequestSigner({ privateJwk }));
  const subgraphUrls = Object.fromEntries(config.subgraphs.map((s) => [s.name, s.url]));
  const redis = config.redisUrl ? createClient({ url: config.redisUrl }) : undefined;
  redis?.on('error', (err) => logger.error({ err }, 'redis error'));
  await redis?.connect();
  try {
    const cache = redis ? new RedisKeyValueCache(redis) : undefined;
    const authenticate = createAuthenticator({
      keys: await trustedKeys(config, logger),
      jwksUrl: config.authJwksUrl,
      issuer: config.authIssuer,
      audience: config.authAudience,
    });
    const signContext = createContextSigner({ privateJwk });
    const policies = loadPolicies(config.policyFiles);
    const registered = Object.fromEntries([...manifests].map(([client, documents]) => [client, documents.size]));
    if (config.trustedDocuments === 'allow')
      logger.warn({ registered }, 'TRUSTED_DOCUMENTS=allow: free-form operations run as well as registered ones; never in a deployment');
    else logger.info({ registered }, 'trusted documents enforced: only registered operations run');
    if (config.authorizationMode === 'dry-run') logger.warn('AUTHZ_MODE=dry-run: nothing is withheld; would-be denials are reported in each response');
    const gateway = createGateway({
      supergraphSdl,
      subgraphUrls,
      cache,
      logger,
      development: config.development,
      subgraphTimeoutMs: config.subgraphTimeoutMs,
      authenticate,
      signContext,
      policies,
      authorizationMode: config.authorizationMode,
      operationLimits: config.operationLimits,
      rateLimits: config.rateLimits,
      requestDeadlineMs: config.requestDeadlineMs,
      trustedDocuments: { mode: config.trustedDocuments, manifests },
      explorerUrl: options.explorerUrl,
      state: redis ? new RedisSharedState(redis) : new MemorySharedState(),
      breakGlassMinutes: config.breakGlassMinutes,
      unusualAccess: config.unusualAccess,
      auditPath: config.auditPath,
      // Replicas share the signing key, so they hash callers and children alike.
      stateSecret: createHash('sha256')
        .update(`shared-state\n${JSON.stringify(privateJwk)}`)
        .digest('hex'),
    });
    const service = await gateway.listen(config.port, config.host);
    logger.info({ url: service.url, sharedState: redis ? 'redis' : 'memory' }, 'gateway ready');
    return {
      url: service.url,
      service,
      stop: async () => {
        await service.close();
        await redis?.quit();
      },
    };
  } catch (error) {
    await redis?.quit();
    throw error;
  }
}

async function trustedKeys(config: GatewayConfig, logger: Logger): Promise<JSONWebKeySet> {
  const keys = config.authJwksPath ? readJson<JSONWebKeySet>(config.authJwksPath, "the identity provider's keys (AUTH_JWKS_PATH)").keys : [];
  if (config.authTrustDevKey) {
    logger.warn(
      { path: DEV_PERSONA_KEY_PATH },
      'AUTH_TRUST_DEV_KEY=true: TRUSTING THE DEVELOPMENT PERSONA KEY. Anyone with this checkout can mint tokens. Never in a deployment.',
    );
    keys.push(...(await loadOrCreateDevKeyPair(DEV_PERSONA_KEY_PATH, 'personas-dev')).publicJwks.keys);
  }
  return { keys };
}

async function signingKey(config: GatewayConfig, logger: Logger): Promise<JWK> {
  if (config.signingKeyPath) return readJson<JWK>(config.signingKeyPath, "the gateway's signing key (GATEWAY_SIGNING_KEY_PATH)");
  logger.warn({ path: DEV_GATEWAY_KEY_PATH }, 'GATEWAY_SIGNING_KEY_PATH is unset: signing subgraph context with the DEVELOPMENT gateway key');
  return (await loadOrCreateDevKeyPair(DEV_GATEWAY_KEY_PATH, 'gateway-dev', GATEWAY_KEY_ALGORITHM)).privateJwk;
}
