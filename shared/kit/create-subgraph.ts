import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { IncomingMessage } from 'node:http';
import { Kind, type DocumentNode } from 'graphql';
import type { JSONWebKeySet } from 'jose';
import { createAuditCollector, type AuditCollector, type AuditEntry } from '../audit';
import { createErrorFormatter, unauthenticated, type Authority, type Env, type Logger } from '../common';
import type { Database } from '../database';
import { applyRecordRules, readPolicyMap, type Policies, type PolicyMap, type RecordFactsOf } from '../policy';
import { listen, MAX_BODY_BYTES, type HttpService } from './http-server';
import { CONTEXT_HEADER, createContextVerifier } from './internal-context';
import type { OperationLimits } from './operation-limits';
import { auditPlugin } from './plugins/audit-plugin';
import { landingPagePlugin } from './plugins/landing-page-plugin';
import { operationAuthorizationPlugin } from './plugins/operation-authorization-plugin';
import { operationLimitsParseOptions, operationLimitsPlugin } from './plugins/operation-limits-plugin';
import { relatedChildrenPlugin } from './plugins/related-children-plugin';
import { noteRelatedChildren } from './related-children';
import { isServiceOnly } from './service-only';

/** What a subgraph resolver sees: its agency's database and this request's loaders. */
export interface SubgraphContext<L> {
  loaders: L;
  db: Database;
  /** Who is asking and why, from the gateway's signed context; null only for `_service` (composition, signed for it, or anyone in development). */
  authority: Authority | null;
  /** The children this response is about, for the agency's audit log (`_entities` are registered for you). */
  audit: AuditCollector;
  /** The children whose records, read for this response, show the caller a relationship (noted for you from `recordFacts`). */
  related: Set<string>;
}

/** An agency's subgraph: its schema, its resolvers, its SQL (through loaders) and its migrations. */
export interface AgencyDefinition<L> {
  /** The agency's name, lower case: `identity`, `health` … */
  name: string;
  /** Port when `<AGENCY>_PORT` is unset. */
  defaultPort: number;
  typeDefs: DocumentNode;
  /** Resolvers, typed where they are written; `__resolveReference` on each entity. */
  resolvers: Record<string, object>;
  /** Builds this request's DataLoaders over the database, with the agency's settings (see `readSettings`). */
  createLoaders(db: Database, settings: unknown): L;
  /**
   * Runs after each response's disclosures are recorded, before it leaves, with the request's context (its
   * loaders hold the records the response was built from); if it fails, nothing is disclosed.
   */
  onDisclosed?(this: void, db: Database, entries: readonly AuditEntry[], context: SubgraphContext<L>): Promise<void>;
  /** Reads the agency's own settings from the environment at start-up; a bad value fails start-up, naming it. */
  readSettings?(source: Env): unknown;
  migrationsDir: string;
  /** The subgraph kit's migrations the agency needs (record matching, blocking keys), applied before its own. */
  kitMigrations: readonly { dir: string; namespace: string }[];
  /** The database role the subgraph serves as: SELECT only on the system of record. */
  serviceRole: string;
  /** A system-of-record table that is empty only when nothing has been loaded. */
  primaryTable: string;
  /** This agency's policies, from its policy.yaml (security officers own that file). */
  policies: Policies;
  /** For each type whose fields' policies depend on the record: what the record says for this caller. */
  recordFacts: Record<string, RecordFactsOf>;
}

export interface SubgraphDeps {
  /** The connection to serve from (the agency's service role). */
  db: Database;
  logger: Logger;
  /** Stack traces, introspection and `_service` without the gateway's signature are on only in development. @default false */
  development?: boolean;
  /** The gateway's public keys: only requests carrying its signed context are answered. */
  gatewayKeys: JSONWebKeySet;
  /** The agency's settings, from its `readSettings`. */
  settings?: unknown;
  /** `off` exists only to measure what enforcement costs (bench/); never configurable. @default 'enforce' */
  authorization?: 'enforce' | 'off';
  /** `off` exists only to measure what auditing costs (bench/); never configurable. @default 'on' */
  audit?: 'on' | 'off';
  /** The most one call may ask for; `_entities` representations count as children (docs/limits.md). @default DEFAULT_OPERATION_LIMITS */
  operationLimits?: OperationLimits;
  /** `off` only for benchmarks (what the limits cost). @default 'on' */
  limits?: 'on' | 'off';
}

export interface Subgraph {
  listen(port: number, host?: string): Promise<HttpService>;
}

/** The largest request body a subgraph reads from the gateway (signed context verified); others get MAX_BODY_BYTES. */
const GATEWAY_MAX_BODY_BYTES = 64_000_000;

export function createSubgraph<L>(agency: AgencyDefinition<L>, deps: SubgraphDeps): Subgraph {
  const development = deps.development ?? false;
  const verify = createContextVerifier({ gatewayKeys: deps.gatewayKeys, agency: agency.name });
  const enforce = deps.authorization !== 'off';
  const policyMap = readPolicyMap(agency.typeDefs);
  const plain = buildSubgraphSchema({ typeDefs: agency.typeDefs, resolvers: agency.resolvers as never });
  const schema = noteRelatedChildren(
    enforce ? applyRecordRules(plain, { agency: agency.name, policyMap, policies: agency.policies, recordFacts: agency.recordFacts }) : plain,
    agency.recordFacts,
  );
  const apollo = new ApolloServer<SubgraphContext<L>>({
    schema,
    introspection: development,
    includeStacktraceInErrorResponses: development,
    // No "Did you mean …?": the schema is not for guessing at.
    hideSchemaDetailsFromClientErrors: !development,
    parseOptions: deps.limits === 'off' ? undefined : operationLimitsParseOptions(deps.operationLimits),
    csrfPrevention: true,
    // main.ts stops the service on a signal (closing its database too), then exits 0.
    stopOnTerminationSignals: false,
    plugins: [
      // First: a call over a limit is refused before it is authorised, resolved or recorded.
      ...(deps.limits === 'off' ? [] : [operationLimitsPlugin<SubgraphContext<L>>({ limits: deps.operationLimits, logger: deps.logger })]),
      // Federated tracing and cache hints are not used; each costs time on every field.
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      // A static page for a browser, not Apollo's, whose script comes from a CDN.
      landingPagePlugin<SubgraphContext<L>>({
        service: `The ${agency.name} agency's subgraph`,
        about: ['GraphQL is served here to the child view gateway, whose signed context every call must carry.'],
      }),
      // Which children the caller has a relationship with, for the gateway's unusual-access count.
      relatedChildrenPlugin<SubgraphContext<L>>(),
      // Every disclosure is recorded in the agency's own hash-chained log before the response leaves.
      ...(deps.audit === 'off'
        ? []
        : [auditPlugin<SubgraphContext<L>>({ db: deps.db, logger: deps.logger, policyMap, agency: agency.name, onDisclosed: agency.onDisclosed })]),
      // The same caller-only check the gateway makes, once per operation: what this agency's policy
      // never lets the caller see is refused here too, whatever the gateway sent.
      operationAuthorizationPlugin<SubgraphContext<L>>({
        policyMap,
        policies: agency.policies,
        mode: enforce ? 'enforce' : 'off',
        authorityOf: (c) => c.authority,
        alwaysAllowed: unownedCoordinates(agency.typeDefs, policyMap),
        decides: (policy) => policy.startsWith(`${agency.name}:`),
      }),
    ],
    formatError: createErrorFormatter({
      development,
      onMasked: (error) => deps.logger.error({ err: error }, 'masked an unexpected error'),
    }),
  });
  return {
    async listen(port, host) {
      await apollo.start();
      // Each request's signed context is verified once, before its body is read: the gateway's own requests
      // may be larger (an entity request carries what other agencies answered, such as their parts of an
      // access log), anyone else's are held to the usual limit.
      const verified = new WeakMap<IncomingMessage, Promise<Authority | null>>();
      const authorityOf = (req: IncomingMessage): Promise<Authority | null> => {
        let authority = verified.get(req);
        if (!authority) {
          const token = req.headers[CONTEXT_HEADER];
          verified.set(req, (authority = verify(Array.isArray(token) ? token[0] : token)));
        }
        return authority;
      };
      const service = await listen(apollo, {
        port,
        host,
        ready: () => deps.db.ping(),
        maxBodyBytes: (req) =>
          authorityOf(req).then(
            (authority) => (authority ? GATEWAY_MAX_BODY_BYTES : MAX_BODY_BYTES),
            () => MAX_BODY_BYTES,
          ),
        context: async (req, body) => {
          // `_service` is a POST of `_service` alone (for a GET, Apollo runs the URL's query, not the body). Outside
          // development it is answered only to the gateway's composition, which signs its request (a context with no
          // authority, good for nothing else); in development it stays open, for schema tools.
          const serviceOnly = req.method === 'POST' && isServiceOnly(body);
          const open = development && serviceOnly && req.headers[CONTEXT_HEADER] === undefined;
          const authority = open ? null : await authorityOf(req);
          if (authority === null && !serviceOnly) throw unauthenticated('A context signed for composition is good for `_service` alone');
          return { loaders: agency.createLoaders(deps.db, deps.settings), db: deps.db, authority, audit: createAuditCollector(), related: new Set<string>() };
        },
      });
      return {
        ...service,
        close: async () => {
          await service.close();
          await apollo.stop();
        },
      };
    },
  };
}

/**
 * Fields this subgraph serves but does not own, so has no policy for:
 * federation's own, `@external` fields, and entity keys it only joins on.
 */
function unownedCoordinates(typeDefs: DocumentNode, policyMap: PolicyMap): Set<string> {
  const out = new Set(['Query._service', 'Query._entities', '_Service.sdl']);
  for (const d of typeDefs.definitions) {
    if (d.kind !== Kind.OBJECT_TYPE_DEFINITION && d.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const keys = (d.directives ?? [])
      .filter((x) => x.name.value === 'key')
      .flatMap((x) => {
        const fields = x.arguments?.find((a) => a.name.value === 'fields')?.value;
        return fields?.kind === Kind.STRING ? fields.value.split(/\s+/) : [];
      });
    for (const f of d.fields ?? []) {
      const coordinate = `${d.name.value}.${f.name.value}`;
      const external = (f.directives ?? []).some((x) => x.name.value === 'external');
      if (external || (keys.includes(f.name.value) && !policyMap.has(coordinate))) out.add(coordinate);
    }
  }
  return out;
}
