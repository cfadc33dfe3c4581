import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createClient, type RedisClientType } from 'redis';
import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { loadAgencies } from '../registry';
import { DEV_AUDIENCE, DEV_ISSUER, signPersonaToken, type PersonaName } from '../dev/personas';
import {
  composeFromSubgraphs,
  createAuthenticator,
  createGateway,
  DEFAULT_POLICY_FILES,
  DEFAULT_RATE_LIMITS,
  DEFAULT_TRUSTED_DOCUMENTS_DIR,
  loadTrustedDocumentManifests,
  MemorySharedState,
  RedisKeyValueCache,
  RedisSharedState,
  type Gateway,
  type GatewayOptions,
  type SharedState,
} from '../gateway';
import {
  createContextSigner,
  createKeyPair,
  GATEWAY_KEY_ALGORITHM,
  createLogger,
  createSdlRequestSigner,
  loadPolicies,
  startAgency,
  type AuthorizationMode,
  type Database,
  type HttpService,
  type KeyPair,
  type RunningAgency,
  type SubgraphConfig,
} from '../shared';
import { populationFor, today } from '../synthetic';

const agencies = loadAgencies();

export type Backend = 'pglite' | 'postgres';

/** The backends the federation suite runs on: always PGlite; PostgreSQL too when TEST_DATABASE_URL is set. */
export const backends: Backend[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface FederationOptions {
  /** @default 'pglite' */
  backend?: Backend;
  /** Children in the synthetic seed. @default 600 */
  children?: number;
  /** Redis for the gateway's shared state; in memory when unset. @default process.env.REDIS_URL */
  redisUrl?: string;
  /** @default 'enforce' */
  authorizationMode?: AuthorizationMode;
  /** Each agency's audit log; `off` only to measure what it costs. @default 'on' */
  audit?: 'on' | 'off';
  /** Operation limits, rate limits and the request deadline; `off` only to measure what they cost. @default 'on' */
  limits?: 'on' | 'off';
  /** @default 60 */
  breakGlassMinutes?: number;
  /** Thresholds for unusual-access alerts. */
  unusualAccess?: { childrenPerHour?: number; minimumSearches?: number; searchFactor?: number };
  /**
   * For every gateway started. Rate limits are off unless given: a test asks far more a minute, as one persona, than a practitioner.
   * @default { rateLimits: no limit }
   */
  /** Trusted documents are `allow`ed (tests send free-form operations) with the repository's manifests, unless given. */
  gateway?: Pick<GatewayOptions, 'rateLimits' | 'requestDeadlineMs' | 'httpTimeouts' | 'trustedDocuments'>;
  /**
   * Gives one worker (by login) a caseload of `children` children: their own allocations, topped up with the
   * seed's children no worker holds (opening a social care record for those social care did not know).
   * @default none: the seed's own allocations
   */
  caseload?: { worker: string; children: number };
}

const NO_RATE_LIMITS = Object.fromEntries(Object.keys(DEFAULT_RATE_LIMITS).map((limit) => [limit, Infinity]));

export interface AgencyUnderTest {
  url: string;
  /** SQL statements the subgraph has run since the last reset. */
  statements(): number;
  /** GraphQL requests the subgraph has received since the last reset. */
  requests(): number;
  resetCounts(): void;
  /** Reads the agency's own database as the subgraph's service role, e.g. what the subgraph itself recorded. */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Runs statements as the database's owner, as an administrator (or an attacker) would. */
  asOwner(sql: string): Promise<void>;
  stop(): Promise<void>;
}

export interface GraphQLResponse<T = any> {
  status: number;
  body: { data?: T; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[]; extensions?: Record<string, any> };
}

/** Who a test request is from, and why. @default sw.jones for safeguarding */
export interface Asking {
  persona?: PersonaName;
  /** A Purpose, or any string to see a bad one refused. */
  purpose?: string;
  breakGlass?: string;
  headers?: Record<string, string>;
}

export interface Federation {
  gatewayUrl: string;
  asOf: string;
  agencies: Record<string, AgencyUnderTest>;
  gateway: Gateway;
  /** The gateway's shared state, and the keys it holds, to check that no record value is kept. */
  sharedState(): Promise<{ key: string; value: string }[]>;
  queryGateway<T = any>(query: string, variables?: Record<string, unknown>, as?: Asking): Promise<GraphQLResponse<T>>;
  /** Starts another gateway replica over the same agencies and shared state. */
  anotherGateway(options?: {
    breakGlassMinutes?: number;
  }): Promise<{ url: string; query<T = any>(query: string, variables?: Record<string, unknown>, as?: Asking): Promise<GraphQLResponse<T>> }>;
  /** The first gateway's own audit log. */
  gatewayAuditPath: string;
  /** True when the shared state is Redis (what replicas in separate processes would share). */
  sharesStateAcrossProcesses: boolean;
  /** The headers a practitioner's screen would send: bearer token, purpose, break-glass. */
  authHeaders(as?: Asking): Promise<Record<string, string>>;
  /** The identity provider's key (signs persona tokens) and the gateway's key (signs subgraph context). */
  keys: { personas: KeyPair; gateway: KeyPair };
  resetCounts(): void;
  stop(): Promise<void>;
}

/**
 * Starts every subgraph and the gateway in-process on port 0, each agency on its
 * own freshly seeded database, and real HTTP between them.
 */
/** Values from the demo children's records: none may ever be in the gateway's shared state. */
const RECORD_VALUES = [
  '9990000018',
  '9990000026',
  '9990000034',
  '9990000042',
  '9990000050',
  'Amelia',
  'Okafor',
  'NS1 4AB',
  'NS3 2LP',
  '14 Mill Lane',
  'CHILD_PROTECTION_PLAN',
  'Riverside Surgery',
  'Unexplained bruising',
];

export async function startFederation(options: FederationOptions = {}): Promise<Federation> {
  const backend = options.backend ?? 'pglite';
  const children = options.children ?? 600;
  const asOf = today();
  const startedAt = Date.now();
  const logger = createLogger('test', 'silent');
  const cleanups: (() => Promise<void>)[] = [];
  const under: Record<string, AgencyUnderTest> = {};
  const keys = { personas: await createKeyPair('personas-test'), gateway: await createKeyPair('gateway-test', GATEWAY_KEY_ALGORITHM) };
  const tokens = new Map<string, Promise<string>>();
  const authHeaders = async (as: Asking = {}): Promise<Record<string, string>> => {
    const persona = as.persona ?? 'sw.jones';
    if (!tokens.has(persona)) tokens.set(persona, signPersonaToken(persona, keys.personas.privateJwk));
    return {
      authorization: `Bearer ${await tokens.get(persona)}`,
      'x-purpose-of-use': as.purpose ?? 'safeguarding',
      ...(as.breakGlass ? { 'x-break-glass': as.breakGlass } : {}),
      ...as.headers,
    };
  };
  try {
    for (const { definition, seed } of agencies) {
      const databaseUrl = backend === 'postgres' ? await createTestDatabase(definition.name, cleanups) : undefined;
      const config: SubgraphConfig = {
        agency: definition.name,
        port: 0,
        host: '127.0.0.1',
        databaseUrl,
        seedIfEmpty: true,
        seedChildren: children,
        seed: 1,
        logLevel: 'silent',
        development: false,
      };
      let statements = 0;
      let requests = 0;
      const running: RunningAgency = await startAgency(definition, config, {
        seed,
        logger,
        asOf,
        gatewayKeys: keys.gateway.publicJwks,
        authorization: options.authorizationMode === 'off' ? 'off' : 'enforce',
        audit: options.audit,
        limits: options.limits,
        instrument: (db: Database): Database => ({ ...db, query: (sql, params, options) => (statements++, db.query(sql, params, options)) }),
      });
      cleanups.unshift(() => running.stop());
      if (definition.name === 'socialcare' && options.caseload) {
        const owner = running.database!.owner;
        const sql = allocationSql(
          options.caseload,
          populationFor({ children, seed: 1, asOf }).children.map((c) => c.nhsNumber),
          asOf,
        );
        await owner.exec(backend === 'pglite' ? `RESET ROLE; ${sql}; SET ROLE ${definition.serviceRole}` : sql);
      }
      running.service.server.on('request', (req) => {
        if (req.method === 'POST') requests++;
      });
      under[definition.name] = {
        url: running.url,
        statements: () => statements,
        requests: () => requests,
        stop: () => running.stop(),
        query: (sql, params) => running.database!.owner.query(sql, params),
        // Embedded: the one connection serves as the service role, so the owner's statements step out of it.
        asOwner: (sql) => running.database!.owner.exec(backend === 'pglite' ? `RESET ROLE; ${sql}; SET ROLE ${definition.serviceRole}` : sql),
        resetCounts: () => {
          statements = 0;
          requests = 0;
        },
      };
    }
    const subgraphs = Object.entries(under).map(([name, a]) => ({ name, url: a.url }));
    const redisUrl = options.redisUrl ?? process.env.REDIS_URL;
    const prefix = `cvtest:${randomBytes(6).toString('hex')}:`;
    let redis: RedisClientType | undefined;
    let cache: KeyValueCache<string>;
    let state: SharedState;
    if (redisUrl) {
      redis = createClient({ url: redisUrl });
      await redis.connect();
      cache = new RedisKeyValueCache(redis, prefix);
      state = new RedisSharedState(redis, `${prefix}state:`);
      const client = redis;
      cleanups.unshift(async () => {
        for await (const keys of client.scanIterator({ MATCH: `${prefix}*` })) if (keys.length) await client.del(keys);
        await client.quit();
      });
    } else {
      cache = new InMemoryLRUCache<string>();
      state = new MemorySharedState();
    }
    // Outside development a subgraph gives its SDL only to a request the gateway signed.
    const supergraphSdl = await composeFromSubgraphs(subgraphs, 10_000, createSdlRequestSigner({ privateJwk: keys.gateway.privateJwk }));
    // Each gateway started here writes its own audit log in a fresh folder.
    const auditDir = mkdtempSync(join(tmpdir(), 'cv-gateway-audit-'));
    let gateways = 0;
    const gatewayAuditPath = join(auditDir, 'gateway-1.jsonl');
    // Every gateway started here shares the shared state, as replicas behind one load balancer do.
    const startOneGateway = async (breakGlassMinutes = options.breakGlassMinutes) => {
      const auditPath = join(auditDir, `gateway-${++gateways}.jsonl`);
      const one = createGateway({
        supergraphSdl,
        cache,
        logger,
        state,
        stateSecret: 'test-shared-state',
        breakGlassMinutes,
        auditPath,
        // One hour for the whole federation (the benches too): a test that counts across several requests never straddles two.
        unusualAccess: { now: () => startedAt, ...options.unusualAccess },
        authenticate: createAuthenticator({ keys: keys.personas.publicJwks, issuer: DEV_ISSUER, audience: DEV_AUDIENCE }),
        signContext: createContextSigner({ privateJwk: keys.gateway.privateJwk }),
        policies: loadPolicies(DEFAULT_POLICY_FILES),
        authorizationMode: options.authorizationMode,
        rateLimits: NO_RATE_LIMITS,
        limits: options.limits,
        trustedDocuments: { mode: 'allow', manifests: loadTrustedDocumentManifests(DEFAULT_TRUSTED_DOCUMENTS_DIR) },
        ...options.gateway,
      });
      const listening: HttpService = await one.listen(0);
      cleanups.unshift(() => listening.close());
      return { gateway: one, service: listening };
    };
    const { gateway, service } = await startOneGateway();
    const federation: Federation = {
      gatewayUrl: service.url,
      asOf,
      agencies: under,
      gateway,
      sharedState: async () => {
        if (redis) {
          const out: { key: string; value: string }[] = [];
          for await (const keys of redis.scanIterator({ MATCH: `${prefix}*` })) {
            for (const key of keys) {
              const type = await redis.type(key);
              const value = type === 'set' ? (await redis.sMembers(key)).join(',') : type === 'string' ? ((await redis.get(key)) ?? '') : type;
              out.push({ key, value });
            }
          }
          return out;
        }
        const memory = cache as InMemoryLRUCache<string>;
        const cached = await Promise.all(memory.keys().map(async (key) => ({ key, value: (await memory.get(key)) ?? '' })));
        return [...cached, ...(state as MemorySharedState).entries()];
      },
      queryGateway: async (query, variables, as) => post(service.url, { query, variables }, await authHeaders(as)),
      anotherGateway: async (gatewayOptions = {}) => {
        const { service: other } = await startOneGateway(gatewayOptions.breakGlassMinutes ?? options.breakGlassMinutes);
        return { url: other.url, query: async (query, variables, as) => post(other.url, { query, variables }, await authHeaders(as)) };
      },
      sharesStateAcrossProcesses: redis !== undefined,
      gatewayAuditPath,
      authHeaders,
      keys,
      resetCounts: () => Object.values(under).forEach((a) => a.resetCounts()),
      // Whatever the tests did, the shared state (Redis, in CI) must hold no record value at the end: it is scanned before it is cleared.
      stop: async () => {
        const held = cleanups.length > 0 ? JSON.stringify(await federation.sharedState().catch(() => [])) : '[]';
        for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
        const leaked = RECORD_VALUES.filter((value) => held.includes(value));
        if (leaked.length > 0) throw new Error(`The gateway's shared state held record values: ${leaked.join(', ')}`);
      },
    };
    return federation;
  } catch (error) {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw error;
  }
}

/** The statements topping one worker's caseload up to `children` with the seed's children no worker holds, in seed order. */
function allocationSql(caseload: { worker: string; children: number }, nhsNumbers: string[], asOf: string): string {
  if (!/^[a-z0-9.]+$/.test(caseload.worker)) throw new TypeError(`caseload.worker: ${JSON.stringify(caseload.worker)} is not a login`);
  if (!Number.isInteger(caseload.children) || caseload.children < 1 || caseload.children > nhsNumbers.length) {
    throw new TypeError(`caseload.children: ${caseload.children} is not between 1 and the ${nhsNumbers.length} children of the seed`);
  }
  // NHS numbers are the seed's own ten digits, and the login is checked above: both are safe inline.
  const numbers = `ARRAY[${nhsNumbers.map((n) => `'${n}'`).join(',')}]::text[]`;
  return `
    CREATE TEMP TABLE caseload_top_up AS
      SELECT t.n AS nhs_number, t.i FROM unnest(${numbers}) WITH ORDINALITY AS t(n, i)
       WHERE NOT EXISTS (SELECT 1 FROM records.person p JOIN records.allocation a ON a.person_id = p.person_id AND a.ended_on IS NULL WHERE p.nhs_number = t.n)
       ORDER BY t.i
       LIMIT GREATEST(0, ${caseload.children} - (SELECT count(*) FROM records.allocation a JOIN records.worker w USING (worker_id) WHERE w.login = '${caseload.worker}' AND a.ended_on IS NULL));
    INSERT INTO records.person (person_id, nhs_number, la_code)
      SELECT 'CL' || lpad(c.i::text, 6, '0'), c.nhs_number, la.la_code FROM caseload_top_up c, records.local_authority la
       WHERE NOT EXISTS (SELECT 1 FROM records.person p WHERE p.nhs_number = c.nhs_number);
    INSERT INTO records.allocation (person_id, worker_id, started_on)
      SELECT p.person_id, w.worker_id, DATE '${asOf}' FROM caseload_top_up c JOIN records.person p USING (nhs_number), records.worker w
       WHERE w.login = '${caseload.worker}';
    DROP TABLE caseload_top_up`;
}

export async function post<T = any>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as GraphQLResponse<T>['body'] };
}

/** Creates a database for one agency on the test PostgreSQL server, dropped again at stop. */
export async function createTestDatabase(agency: string, cleanups: (() => Promise<void>)[]): Promise<string> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('TEST_DATABASE_URL is not set, so the PostgreSQL backend cannot run');
  const name = `cvtest_${agency}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  cleanups.push(async () => {
    const c = new Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => c.end());
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
