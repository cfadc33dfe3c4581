import {
  auditWriterRole,
  checkAppendDefiner,
  checkServingLogin,
  ensureServiceRole,
  ensureServingLogin,
  inTransaction,
  loginOf,
  migrate,
  openAgencyDatabase,
  openServingDatabase,
  ownerLoginVariable,
  pendingMigrations,
  servingLoginVariable,
  withMigrationLock,
  type AgencyDatabase,
  type Database,
} from '../database';
import { createSubgraph, type AgencyDefinition } from './create-subgraph';
import type { HttpService } from './http-server';
import { createLogger, DEV_GATEWAY_KEY_PATH, GATEWAY_KEY_ALGORITHM, loadOrCreateDevKeyPair, readJson, type Env, type Logger } from '../common';
import { AUDIT_MIGRATIONS_DIR, migrateAudit } from '../audit';
import { loadSubgraphConfig, type SubgraphConfig } from './subgraph-config';
import { runUntilSignal } from './run-until-signal';
import type { JSONWebKeySet } from 'jose';

/** Loads an agency's synthetic records into its (empty) system of record. */
export type SeedFunction = (db: Database, options: SeedOptions) => Promise<void>;

export interface SeedOptions {
  children: number;
  seed: number;
  /** The day the synthetic records are as of, YYYY-MM-DD. @default today */
  asOf?: string;
}

export interface RunningAgency {
  name: string;
  url: string;
  service: HttpService;
  /** The agency's database as its owner; null when the subgraph was given only a serving login. */
  database: AgencyDatabase | null;
  stop(): Promise<void>;
}

/**
 * Opens the agency's database, migrates it, seeds it when asked and empty,
 * then serves the subgraph as the agency's read-only service role: through
 * a login of its own when `<AGENCY>_SERVICE_DATABASE_URL` is set (and, with
 * it alone, without the owner's credentials at all), else through the
 * owner's login switched to the role.
 */
export async function startAgency<L>(
  agency: AgencyDefinition<L>,
  config: SubgraphConfig,
  options: {
    seed?: SeedFunction;
    logger?: Logger;
    /** Wraps the serving connection, e.g. to count statements in tests. */
    instrument?: (db: Database) => Database;
    /** The day seeded records are as of. @default today */
    asOf?: string;
    /** The gateway's public keys. @default read from config.gatewayJwksPath, else the development pair */
    gatewayKeys?: JSONWebKeySet;
    /** `off` only for benchmarks. @default 'enforce' */
    authorization?: 'enforce' | 'off';
    /** `off` only for benchmarks. @default 'on' */
    audit?: 'on' | 'off';
    /** `off` only for benchmarks. @default 'on' */
    limits?: 'on' | 'off';
    /** Where the agency's own settings are read from. @default process.env */
    env?: Env;
  } = {},
): Promise<RunningAgency> {
  const logger = options.logger ?? createLogger(`${agency.name}-subgraph`, config.logLevel);
  const settings = agency.readSettings?.(options.env ?? process.env);
  const servingVariable = servingLoginVariable(agency.name);
  // With a serving login alone, the owner's database is never opened here.
  const database = config.databaseUrl || !config.serviceDatabaseUrl ? await openOwnerDatabase(config) : null;
  // A serving login has a connection of its own, closed apart from the owner's.
  let ownLogin: Database | null = null;
  try {
    if (database) await prepareAgencyDatabase(agency, config, database.owner, { seed: options.seed, asOf: options.asOf, logger });
    let served: Database;
    if (config.serviceDatabaseUrl) {
      served = ownLogin = openServingDatabase(config.serviceDatabaseUrl, agency.serviceRole);
      await checkServingLogin(served, agency.serviceRole, servingVariable);
      // Also with the owner's URL: a serving login on another database than the one just migrated is caught here.
      const pending = await pendingMigrations(
        served,
        [...agency.kitMigrations, { dir: agency.migrationsDir }, { dir: AUDIT_MIGRATIONS_DIR, namespace: 'kit' }],
        servingVariable,
      );
      if (pending.length > 0) {
        throw new Error(
          `${agency.name}'s database lacks the migrations ${pending.join(', ')}: run \`npm run migrate\` with ${ownerLoginVariable(agency.name)} (the owner's login) first`,
        );
      }
      await checkAppendDefiner(served, servingVariable, ownerLoginVariable(agency.name), auditWriterRole(agency.serviceRole));
    } else {
      served = await database!.asRole(agency.serviceRole);
      if (database!.owner.kind === 'postgres') {
        logger.warn(
          `serving through the owner's login switched to the service role, which a statement can switch back: set ${servingVariable} to a login of the subgraph's own`,
        );
      }
    }
    const db = options.instrument ? options.instrument(served) : served;
    const gatewayKeys = options.gatewayKeys ?? (await loadGatewayKeys(config, logger));
    const service = await createSubgraph(agency, {
      db,
      logger,
      development: config.development,
      gatewayKeys,
      settings,
      authorization: options.authorization,
      audit: options.audit,
      limits: options.limits,
      operationLimits: config.operationLimits,
    }).listen(config.port, config.host);
    const where = config.serviceDatabaseUrl
      ? `postgres as ${loginOf(config.serviceDatabaseUrl, servingVariable).login}`
      : config.databaseUrl
        ? 'postgres'
        : `pglite:${config.dataDir ?? 'memory'}`;
    logger.info({ url: service.url, database: where }, `${agency.name} subgraph ready`);
    let stopping: Promise<void> | null = null;
    return {
      name: agency.name,
      url: service.url,
      service,
      database,
      // Once, however often it is called; each connection is closed even if another fails to.
      stop: () =>
        (stopping ??= service.close().finally(async () => {
          const closed = await Promise.allSettled([ownLogin?.close(), database?.close()]);
          const failed = closed.find((c): c is PromiseRejectedResult => c.status === 'rejected');
          if (failed) throw failed.reason;
        })),
    };
  } catch (error) {
    // The error that stopped the start is the one reported, whatever closing does.
    await Promise.allSettled([ownLogin?.close(), database?.close()]);
    throw error;
  }
}

/**
 * Applies the agency's migrations not yet applied: the kit's it needs first (its own build on them, e.g. indexes
 * on the blocking keys' functions), then its own, then the audit log's. Returns the names applied.
 */
export async function migrateAgency<L>(owner: Database, agency: Pick<AgencyDefinition<L>, 'kitMigrations' | 'migrationsDir'>): Promise<string[]> {
  const applied: string[] = [];
  for (const kit of agency.kitMigrations) applied.push(...(await migrate(owner, kit.dir, kit.namespace)));
  applied.push(...(await migrate(owner, agency.migrationsDir)));
  applied.push(...(await migrateAudit(owner)));
  return applied;
}

/**
 * What the owner does before the subgraph serves (at its start, or with `npm
 * run migrate`): the migrations, the service role, the serving login when one
 * is configured, and the synthetic seed when asked for and the system of
 * record is empty.
 */
export async function prepareAgencyDatabase<L>(
  agency: AgencyDefinition<L>,
  config: SubgraphConfig,
  owner: Database,
  options: { seed?: SeedFunction; asOf?: string; logger: Logger },
): Promise<void> {
  const applied = await migrateAgency(owner, agency);
  if (applied.length > 0) options.logger.info({ applied }, 'applied migrations');
  // Under the migrations' lock: replicas starting together would otherwise grant and revoke on the same rows at once.
  await withMigrationLock(owner, async () => {
    await ensureServiceRole(owner, agency.serviceRole);
    if (config.serviceDatabaseUrl) await ensureServingLogin(owner, agency.serviceRole, config.serviceDatabaseUrl, servingLoginVariable(agency.name));
  });
  if (config.seedIfEmpty && options.seed && (await isEmpty(owner, agency.primaryTable))) {
    const started = Date.now();
    const seed = options.seed;
    await inTransaction(owner, () => seed(owner, { children: config.seedChildren, seed: config.seed, asOf: options.asOf }));
    // Fresh statistics, so that the planner uses the indexes from the first query rather than after autovacuum.
    await owner.exec('ANALYZE');
    options.logger.info({ children: config.seedChildren, ms: Date.now() - started }, 'seeded an empty system of record');
  }
}

/**
 * The agency's database as its owner, for the tools that migrate, seed, verify or explain:
 * `<AGENCY>_DATABASE_URL`, else the embedded database under DATA_DIR. Refused when only a
 * serving login is configured, rather than silently opening an embedded database instead.
 */
export function openOwnerDatabase(config: SubgraphConfig): Promise<AgencyDatabase> {
  if (!config.databaseUrl && config.serviceDatabaseUrl) {
    return Promise.reject(
      new Error(
        `${config.agency}: ${ownerLoginVariable(config.agency)} (the owner's login) is needed here; ${servingLoginVariable(config.agency)} alone cannot`,
      ),
    );
  }
  return openAgencyDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir });
}

export async function isEmpty(db: Database, table: string): Promise<boolean> {
  const [row] = await db.query<{ found: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${table}) AS found`);
  return !row?.found;
}

/** What each subgraph's main.ts runs: configuration from the environment, then serve until a signal. */
export function runAgencyMain<L>(agency: AgencyDefinition<L>, seed: SeedFunction): void {
  runUntilSignal(() => startAgency(agency, loadSubgraphConfig(agency.name, agency.defaultPort), { seed }), createLogger(`${agency.name}-subgraph`));
}

async function loadGatewayKeys(config: SubgraphConfig, logger: Logger): Promise<JSONWebKeySet> {
  if (config.gatewayJwksPath) return readJson<JSONWebKeySet>(config.gatewayJwksPath, "the gateway's public keys (GATEWAY_JWKS_PATH)");
  logger.warn({ path: DEV_GATEWAY_KEY_PATH }, 'GATEWAY_JWKS_PATH is unset: trusting the DEVELOPMENT gateway key; never do this in a deployment');
  return (await loadOrCreateDevKeyPair(DEV_GATEWAY_KEY_PATH, 'gateway-dev', GATEWAY_KEY_ALGORITHM)).publicJwks;
}
