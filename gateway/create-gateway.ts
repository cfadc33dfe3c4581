import { randomBytes } from 'node:crypto';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { Agent } from 'undici';
import {
  createErrorFormatter,
  landingPagePlugin,
  listen,
  operationLimitsParseOptions,
  operationLimitsPlugin,
  readPolicyMap,
  stripPolicyFeatures,
  type AuthorizationMode,
  type Authority,
  type HttpService,
  type HttpServiceOptions,
  type Logger,
  type OperationLimits,
  type Policies,
} from '../shared';
import type { IncomingHttpHeaders } from 'node:http';
import { AgencyDataSource, requestDeadline, type GatewayContext } from './agency-data-source';
import { createRateLimiter, type RateLimits } from './rate-limits';
import { OperationShapeCache } from './operation-shape-cache';
import { createBreakGlassGrants } from './break-glass-grants';
import { MemorySharedState, type SharedState } from './shared-state';
import { createGatewayAudit } from './gateway-audit';
import { createAlertRecorder } from './record-alerts';
import { trustedDocuments, type TrustedDocuments } from './trusted-documents';
import { authorizationPlugin } from './plugins/authorization-plugin';
import { breakGlassReviewPlugin } from './plugins/break-glass-review-plugin';
import { breakGlassScopePlugin } from './plugins/break-glass-scope-plugin';
import { gatewayAuditPlugin } from './plugins/gateway-audit-plugin';
import { internalFetchErrorsPlugin } from './plugins/internal-fetch-errors-plugin';
import { rateLimitsPlugin } from './plugins/rate-limits-plugin';
import { traceIdHeaderPlugin } from './plugins/trace-id-header-plugin';
import { trustedDocumentsPlugin } from './plugins/trusted-documents-plugin';
import { unusualAccessPlugin, type UnusualAccessOptions } from './plugins/unusual-access-plugin';

export interface GatewayOptions {
  /** The composed supergraph. */
  supergraphSdl: string;
  /** Where each agency's subgraph is, overriding the supergraph's URLs (by subgraph name). */
  subgraphUrls?: Record<string, string>;
  /** Shared gateway state (persisted queries). Never holds record values. @default an in-memory LRU cache */
  cache?: KeyValueCache<string>;
  logger: Logger;
  /** @default 10000 */
  subgraphTimeoutMs?: number;
  /** Stack traces and introspection only in development. @default false */
  development?: boolean;
  /** Authenticates each request (bearer token, purpose of use, break-glass); throws to refuse it. */
  authenticate: (headers: IncomingHttpHeaders) => Promise<Authority>;
  /** Signs a request's authority for one subgraph. */
  signContext: (authority: Authority, audience: string) => Promise<string>;
  /** Every agency's policies, from their policy.yaml files. */
  policies: Policies;
  /** @default 'enforce' */
  authorizationMode?: AuthorizationMode;
  /** What every replica shares: break-glass grants, unusual-access and rate-limit counters. @default in memory */
  state?: SharedState;
  /** Keys the shared state's hashes of callers and children; replicas sharing state share it. @default random (one replica) */
  stateSecret?: string;
  /** How long a break-glass grant lasts. @default 60 */
  breakGlassMinutes?: number;
  /** The gateway's own audit log (JSON lines); every operation is recorded before anything is fetched. */
  auditPath: string;
  /** Thresholds for unusual access alerts. */
  unusualAccess?: Pick<UnusualAccessOptions, 'childrenPerHour' | 'minimumSearches' | 'searchFactor' | 'now'>;
  /** The subgraph that records unusual-access alerts for the privacy officer (`recordAccessAlerts`). @default 'identity' */
  alertAgency?: string;
  /** The most one operation may ask for (docs/limits.md). @default DEFAULT_OPERATION_LIMITS */
  operationLimits?: OperationLimits;
  /** `off` only for benchmarks (what the limits cost): no operation limits, rate limits or request deadline. @default 'on' */
  limits?: 'on' | 'off';
  /** The most items a list field returns where no list argument says, for the cost limit. @default { 'Query.searchChildren': 10 } */
  listSizes?: Record<string, number>;
  /** The most each caller may ask a minute, and have in flight (docs/limits.md); `now` is the clock minutes are read from. @default DEFAULT_RATE_LIMITS, Date.now */
  rateLimits?: Partial<RateLimits> & { now?: () => number };
  /** How long one request may take, its calls to agencies included: those still running then are cancelled. @default 30000 */
  requestDeadlineMs?: number;
  /**
   * Which operations run (docs/trusted-documents.md): `enforce`, only those in the sending client's manifest, sent by
   * hash; `allow`, those and free-form operations. @default enforce with no manifest (nothing runs) outside development, allow in it
   */
  trustedDocuments?: TrustedDocuments;
  /** Where the landing page points for the explorer (`npm start` gives the web app's). */
  explorerUrl?: string;
  /** The HTTP server's timeouts (docs/limits.md). @default HTTP_TIMEOUTS */
  httpTimeouts?: HttpServiceOptions<GatewayContext>['timeouts'];
}

/** identity answers a search with at most 10 children. */
const LIST_SIZES = { 'Query.searchChildren': 10 };

export interface Gateway {
  readonly apollo: ApolloServer<GatewayContext>;
  readonly gateway: ApolloGateway;
  listen(port: number, host?: string): Promise<HttpService>;
}

/** Builds the federated gateway; it stores no records and has no database. */
export function createGateway(options: GatewayOptions): Gateway {
  const development = options.development ?? false;
  // The policy map is read from the composed supergraph, whose @policy features
  // @apollo/gateway refuses, so it is given the supergraph without them.
  const policyMap = readPolicyMap(options.supergraphSdl);
  const sources = new Map<string, AgencyDataSource>();
  const gatewayAudit = createGatewayAudit({ path: options.auditPath, logger: options.logger });
  // Keep-alive connections to every agency, shared by their data sources.
  const agent = new Agent();
  const gateway = new ApolloGateway({
    supergraphSdl: stripPolicyFeatures(options.supergraphSdl),
    logger: options.logger,
    buildService: ({ name, url }) => {
      const source = new AgencyDataSource(name, options.subgraphUrls?.[name] ?? url ?? '', {
        timeoutMs: options.subgraphTimeoutMs ?? 10_000,
        agent,
        logger: options.logger,
        signContext: options.signContext,
        witness: gatewayAudit.witness,
      });
      sources.set(name, source);
      return source;
    },
  });
  const alertAgency = options.alertAgency ?? 'identity';
  const recordAlerts = createAlertRecorder({ agency: alertAgency, source: () => sources.get(alertAgency) });
  const state = options.state ?? new MemorySharedState();
  const secret = options.stateSecret ?? randomBytes(32).toString('hex');
  const grants = createBreakGlassGrants({ state, minutes: options.breakGlassMinutes ?? 60, secret, logger: options.logger });
  const listSizes = options.listSizes ?? LIST_SIZES;
  const { now, ...rateLimits } = options.rateLimits ?? {};
  const rateLimiter = createRateLimiter({ state, secret, limits: rateLimits, now, logger: options.logger });
  const rateLimited = rateLimitsPlugin(rateLimiter, { listSizes, logger: options.logger });
  const recorded = gatewayAuditPlugin({ audit: gatewayAudit, logger: options.logger });
  const deadlineMs = options.requestDeadlineMs ?? 30_000;
  const limited = options.limits !== 'off';
  const trusted = trustedDocuments(options.trustedDocuments ?? { mode: development ? 'allow' : 'enforce', manifests: new Map() });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    cache: new OperationShapeCache(options.cache ?? new InMemoryLRUCache()),
    introspection: development,
    includeStacktraceInErrorResponses: development,
    // No "Did you mean …?": the schema is not for guessing at.
    hideSchemaDetailsFromClientErrors: !development,
    parseOptions: limited ? operationLimitsParseOptions(options.operationLimits) : undefined,
    csrfPrevention: true,
    // main.ts stops the service on a signal (closing its database too), then exits 0.
    stopOnTerminationSignals: false,
    // Registered operations are resolved from the manifests (trustedDocuments): a client never registers one.
    persistedQueries: trusted.mode === 'allow' ? undefined : false,
    plugins: [
      // First of all: the registered document a hash names takes the place of what the client sent.
      trustedDocumentsPlugin<GatewayContext>(),
      landingPagePlugin<GatewayContext>({
        service: 'The child view gateway',
        about: [
          'GraphQL is served here: send POST requests with Content-Type: application/json, a bearer token and a purpose of use (X-Purpose-Of-Use).',
          trusted.mode === 'enforce'
            ? "Only operations a client has registered run here, sent by their hash with the client's name (docs/trusted-documents.md)."
            : 'Free-form operations run here as well as registered ones (TRUSTED_DOCUMENTS=allow): never in a deployment.',
        ],
        explorerUrl: options.explorerUrl,
      }),
      // Then: an operation over a limit is refused before any other plugin, authorisation or the planner sees it.
      ...(limited ? [operationLimitsPlugin<GatewayContext>({ limits: options.operationLimits, listSizes, logger: options.logger })] : []),
      ApolloServerPluginCacheControlDisabled(),
      traceIdHeaderPlugin(),
      breakGlassScopePlugin(),
      breakGlassReviewPlugin({ grants, logger: options.logger }),
      unusualAccessPlugin({ state, secret, logger: options.logger, record: recordAlerts, ...options.unusualAccess }),
      // Before the operation is filtered: it keeps the client's own operation to tell its fields from the gateway's.
      internalFetchErrorsPlugin<GatewayContext>(options.logger),
      authorizationPlugin({ policyMap, policies: options.policies, mode: options.authorizationMode ?? 'enforce' }),
      // After the operation is filtered (what was withheld is not counted); its refusal answers in place of execution.
      ...(limited ? [rateLimited] : []),
      // After the operation is filtered (to record what was withheld) and the rate limits' decision (to record a refusal), before anything is fetched.
      limited ? rateLimited.recordedAfter(recorded) : recorded,
    ],
    formatError: createErrorFormatter({
      development,
      onMasked: (error) => options.logger.error({ err: error }, 'masked an unexpected error'),
    }),
  });
  return {
    apollo,
    gateway,
    async listen(port, host) {
      await apollo.start();
      const service = await listen(apollo, {
        port,
        host,
        ready: async () => true,
        timeouts: options.httpTimeouts,
        // A caller over `concurrent` or `requests` is refused here, before the request is parsed: nothing else sees it.
        context: async (req, body, finished) => {
          const deadline = limited ? requestDeadline(deadlineMs, finished) : undefined;
          const authority = await options.authenticate(req.headers);
          // Before anything is parsed: an operation this client has not registered is refused here (TRUSTED_DOCUMENTS=enforce).
          const trustedDocument = trusted.resolve(req, body);
          if (limited) {
            rateLimiter.enter(authority.caller.sub, finished);
            await rateLimiter.request(authority.caller.sub);
          }
          // The child a break-glass grant is for is read from the registered document when the client sent a hash.
          const operation = trustedDocument !== undefined && body !== null && typeof body === 'object' ? { ...body, query: trustedDocument } : body;
          return { authority: await grants.resolve(authority, operation), deadline, trustedDocument };
        },
      });
      return {
        ...service,
        close: async () => {
          try {
            await service.close();
            await apollo.stop();
            await agent.close();
          } finally {
            // The heads the agencies showed since the last operation's line, so that the newest rows are witnessed too.
            await gatewayAudit
              .flush()
              .catch((error: unknown) => options.logger.error({ err: error }, 'could not write the witnessed heads to the gateway audit log'));
          }
        },
      };
    },
  };
}
