import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, env, isDevelopment, operationLimitsFrom, operationLimitsShape, readEnv, type Env, type OperationLimits } from '../shared';
import { agencyDir, agencyVariables, REGISTRY } from '../registry';
import { rateLimitsFrom, rateLimitsShape, type RateLimits } from './rate-limits';
import { DEFAULT_TRUSTED_DOCUMENTS_DIR } from './trusted-documents';

export interface GatewayConfig {
  /** `PORT` @default 4000 */
  port: number;
  /** `HOST` @default '127.0.0.1' */
  host: string;
  /** `<AGENCY>_URL` for each agency @default http://127.0.0.1:400N/graphql */
  subgraphs: { name: string; url: string }[];
  /** `SUPERGRAPH_PATH`: a composed supergraph to load; when unset the gateway composes from the live subgraphs at start. */
  supergraphPath?: string;
  /** `SUBGRAPH_WAIT_SECONDS`: how long to wait at start for the subgraphs to answer. @default 60 */
  subgraphWaitSeconds: number;
  /** `SUBGRAPH_TIMEOUT_MS`: how long one subgraph request may take before its agency is reported unavailable. @default 10000 */
  subgraphTimeoutMs: number;
  /** `GATEWAY_AUDIT_PATH`: the gateway's own audit log, JSON lines. @default './data/gateway/audit.jsonl' */
  auditPath: string;
  /** `BREAK_GLASS_MINUTES`: how long a break-glass grant lasts. @default 60 */
  breakGlassMinutes: number;
  /** `UNUSUAL_CHILDREN_PER_HOUR`, `UNUSUAL_SEARCH_MINIMUM`, `UNUSUAL_SEARCH_FACTOR`: when access is unusual. @default 100, 30, 5 */
  unusualAccess: { childrenPerHour: number; minimumSearches: number; searchFactor: number };
  /** `REDIS_URL`: shared state for several gateways; in memory when unset. */
  redisUrl?: string;
  /** `LOG_LEVEL` @default 'info' */
  logLevel: string;
  /** `NODE_ENV=development` turns on stack traces and introspection. */
  development: boolean;
  /** `AUTH_JWKS_PATH`: the identity provider's signing keys, as a JWKS file. */
  authJwksPath?: string;
  /** `AUTH_JWKS_URL`: the identity provider's JWKS endpoint. */
  authJwksUrl?: string;
  /** `AUTH_ISSUER` @default 'child-view-dev' */
  authIssuer: string;
  /** `AUTH_AUDIENCE` @default 'child-view' */
  authAudience: string;
  /** `AUTH_TRUST_DEV_KEY`: also trust the development persona key (`npm run token`). Development only. @default false */
  authTrustDevKey: boolean;
  /** `GATEWAY_SIGNING_KEY_PATH`: the private JWK the gateway signs subgraph context with; unset → the development pair. */
  signingKeyPath?: string;
  /** `AUTHZ_MODE`: `enforce`, or `dry-run` to report would-be denials without filtering. @default 'enforce' */
  authorizationMode: 'enforce' | 'dry-run';
  /** `POLICY_FILES`: comma-separated policy.yaml paths. @default each agency's subgraphs/<agency>/policy.yaml */
  policyFiles: string[];
  /**
   * `MAX_QUERY_TOKENS`, `MAX_QUERY_DEPTH`, `MAX_QUERY_ALIASES`, `MAX_QUERY_DIRECTIVES`, `MAX_QUERY_ROOT_FIELDS`,
   * `MAX_QUERY_SELECTIONS`, `MAX_QUERY_COST`, `MAX_QUERY_CHILDREN`: the most one client operation may ask for (docs/limits.md).
   * @default DEFAULT_OPERATION_LIMITS
   */
  operationLimits: OperationLimits;
  /**
   * `RATE_REQUESTS_PER_MINUTE`, `RATE_CHILDREN_PER_MINUTE`, `RATE_SEARCHES_PER_MINUTE`, `RATE_FUZZY_SEARCHES_PER_MINUTE`,
   * `RATE_POSTCODE_SEARCHES_PER_MINUTE`, `RATE_CONCURRENT_REQUESTS`: the most each caller may ask (docs/limits.md).
   * @default DEFAULT_RATE_LIMITS
   */
  rateLimits: RateLimits;
  /** `REQUEST_DEADLINE_MS`: how long one request may take, its calls to agencies included. @default 30000 */
  requestDeadlineMs: number;
  /**
   * `TRUSTED_DOCUMENTS`: `enforce`, only the operations each client registered, sent by hash; `allow`, free-form
   * operations too (docs/trusted-documents.md). @default 'enforce', and 'allow' with NODE_ENV=development
   */
  trustedDocuments: 'enforce' | 'allow';
  /** `TRUSTED_DOCUMENTS_DIR`: the folder of client manifests, `<client-name>.json` each. @default the repository's trusted-documents/ */
  trustedDocumentsDir: string;
}

/** Each agency's policy file, as the repository keeps them. */
export const DEFAULT_POLICY_FILES = REGISTRY.map((a) => join(agencyDir(a.name), 'policy.yaml'));

const subgraphUrlShape = () =>
  Object.fromEntries(REGISTRY.map((a) => [agencyVariables(a.name).url, env.url(['http', 'https']).default(`http://127.0.0.1:${a.port}/graphql`)]));

/** Where each agency's subgraph is (`<AGENCY>_URL`): all `npm run compose` needs. */
export function loadSubgraphUrls(source: Env = process.env): { name: string; url: string }[] {
  const values = readEnv(subgraphUrlShape(), source) as Record<string, string>;
  return REGISTRY.map((a) => ({ name: a.name, url: values[agencyVariables(a.name).url]! }));
}

export function loadGatewayConfig(source: Env = process.env): GatewayConfig {
  const urls = subgraphUrlShape();
  const values = readEnv(
    {
      PORT: env.port(4000),
      HOST: z.string().default('127.0.0.1'),
      SUPERGRAPH_PATH: z.string().optional(),
      SUBGRAPH_WAIT_SECONDS: env.positiveInt(60),
      SUBGRAPH_TIMEOUT_MS: env.positiveInt(10_000),
      BREAK_GLASS_MINUTES: env.positiveInt(60),
      GATEWAY_AUDIT_PATH: z.string().default('./data/gateway/audit.jsonl'),
      UNUSUAL_CHILDREN_PER_HOUR: env.positiveInt(100),
      UNUSUAL_SEARCH_MINIMUM: env.positiveInt(30),
      UNUSUAL_SEARCH_FACTOR: env.positiveInt(5),
      REDIS_URL: env.url(['redis', 'rediss']).optional(),
      LOG_LEVEL: env.logLevel(),
      NODE_ENV: env.nodeEnv(),
      AUTH_JWKS_PATH: z.string().optional(),
      AUTH_JWKS_URL: env.url(['https', 'http']).optional(),
      AUTH_ISSUER: z.string().default('child-view-dev'),
      AUTH_AUDIENCE: z.string().default('child-view'),
      AUTH_TRUST_DEV_KEY: env.boolean(false),
      GATEWAY_SIGNING_KEY_PATH: z.string().optional(),
      AUTHZ_MODE: z.enum(['enforce', 'dry-run'], { error: 'expected enforce or dry-run' }).default('enforce'),
      POLICY_FILES: z.string().optional(),
      ...operationLimitsShape(),
      ...rateLimitsShape(),
      REQUEST_DEADLINE_MS: env.positiveInt(30_000),
      TRUSTED_DOCUMENTS: z.enum(['enforce', 'allow'], { error: 'expected enforce or allow' }).optional(),
      TRUSTED_DOCUMENTS_DIR: z.string().optional(),
      ...urls,
    },
    source,
  ) as Record<string, unknown>;
  if ((values.RATE_CHILDREN_PER_MINUTE as number) < (values.MAX_QUERY_CHILDREN as number)) {
    throw new ConfigError(
      `Invalid configuration:\n  RATE_CHILDREN_PER_MINUTE="${String(values.RATE_CHILDREN_PER_MINUTE)}": must be at least MAX_QUERY_CHILDREN (${String(values.MAX_QUERY_CHILDREN)}), or an operation of that many children could never be served`,
    );
  }
  if (!values.AUTH_JWKS_PATH && !values.AUTH_JWKS_URL && !values.AUTH_TRUST_DEV_KEY) {
    throw new ConfigError(
      'Invalid configuration:\n  AUTH_JWKS_PATH="", AUTH_JWKS_URL="", AUTH_TRUST_DEV_KEY="": the gateway needs a way to verify tokens: set AUTH_JWKS_PATH or AUTH_JWKS_URL (or, in development, AUTH_TRUST_DEV_KEY=true)',
    );
  }
  return {
    port: values.PORT as number,
    host: values.HOST as string,
    subgraphs: REGISTRY.map((a) => ({ name: a.name, url: values[agencyVariables(a.name).url] as string })),
    supergraphPath: values.SUPERGRAPH_PATH as string | undefined,
    subgraphWaitSeconds: values.SUBGRAPH_WAIT_SECONDS as number,
    subgraphTimeoutMs: values.SUBGRAPH_TIMEOUT_MS as number,
    breakGlassMinutes: values.BREAK_GLASS_MINUTES as number,
    auditPath: resolve(values.GATEWAY_AUDIT_PATH as string),
    unusualAccess: {
      childrenPerHour: values.UNUSUAL_CHILDREN_PER_HOUR as number,
      minimumSearches: values.UNUSUAL_SEARCH_MINIMUM as number,
      searchFactor: values.UNUSUAL_SEARCH_FACTOR as number,
    },
    redisUrl: values.REDIS_URL as string | undefined,
    logLevel: values.LOG_LEVEL as string,
    development: isDevelopment(values.NODE_ENV as string),
    authJwksPath: values.AUTH_JWKS_PATH as string | undefined,
    authJwksUrl: values.AUTH_JWKS_URL as string | undefined,
    authIssuer: values.AUTH_ISSUER as string,
    authAudience: values.AUTH_AUDIENCE as string,
    authTrustDevKey: values.AUTH_TRUST_DEV_KEY as boolean,
    signingKeyPath: values.GATEWAY_SIGNING_KEY_PATH as string | undefined,
    authorizationMode: values.AUTHZ_MODE as 'enforce' | 'dry-run',
    policyFiles: values.POLICY_FILES
      ? (values.POLICY_FILES as string)
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)
      : DEFAULT_POLICY_FILES,
    operationLimits: operationLimitsFrom(values),
    rateLimits: rateLimitsFrom(values),
    requestDeadlineMs: values.REQUEST_DEADLINE_MS as number,
    trustedDocuments: (values.TRUSTED_DOCUMENTS as 'enforce' | 'allow' | undefined) ?? (isDevelopment(values.NODE_ENV as string) ? 'allow' : 'enforce'),
    trustedDocumentsDir: resolve((values.TRUSTED_DOCUMENTS_DIR as string | undefined) ?? DEFAULT_TRUSTED_DOCUMENTS_DIR),
  };
}
