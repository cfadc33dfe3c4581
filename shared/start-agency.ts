import { inTransaction, openAgencyDatabase, type AgencyDatabase } from './database';
import { createSubgraph, type AgencyDefinition } from './create-subgraph';
import type { HttpService } from './http-server';
import { createLogger, type Logger } from './logger';
import { migrate } from './migrate';
import { migrateAudit } from './audit';
import { ensureServiceRole } from './service-role';
import { loadSubgraphConfig, type SubgraphConfig } from './subgraph-config';
import { runUntilSignal } from './run-until-signal';
import type { JSONWebKeySet } from 'jose';
import type { Database } from './database';
import type { Env } from './config';
import { DEV_GATEWAY_KEY_PATH, loadOrCreateDevKeyPair, readJson } from './dev-keys';

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
  database: AgencyDatabase;
  stop(): Promise<void>;
}

/**
 * Opens the agency's database, migrates it, seeds it when asked and empty,
 * then serves the subgraph as the agency's read-only service role.
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
    /** Where the agency's own settings are read from. @default process.env */
    env?: Env;
  } = {},
): Promise<RunningAgency> {
  const logger = options.logger ?? createLogger(`${agency.name}-subgraph`, config.logLevel);
  const settings = agency.readSettings?.(options.env ?? process.env);
  const database = await openAgencyDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir });
  try {
    const applied = await migrate(database.owner, agency.migrationsDir);
    applied.push(...(await migrateAudit(database.owner)));
    if (applied.length > 0) logger.info({ applied }, 'applied migrations');
    await ensureServiceRole(database.owner, agency.serviceRole);
    if (config.seedIfEmpty && options.seed && (await isEmpty(database.owner, agency.primaryTable))) {
      const started = Date.now();
      const seed = options.seed;
      await inTransaction(database.owner, () => seed(database.owner, { children: config.seedChildren, seed: config.seed, asOf: options.asOf }));
      // Fresh statistics, so that the planner uses the indexes from the first query rather than after autovacuum.
      await database.owner.exec('ANALYZE');
      logger.info({ children: config.seedChildren, ms: Date.now() - started }, 'seeded an empty system of record');
    }
    const served = await database.asRole(agency.serviceRole);
    const db = options.instrument ? options.instrument(served) : served;
    const gatewayKeys = options.gatewayKeys ?? (await loadGatewayKeys(config, logger));
    const service = await createSubgraph(agency, { db, logger, development: config.development, gatewayKeys, settings, authorization: options.authorization, audit: options.audit }).listen(config.port, config.host);
    logger.info({ url: service.url, database: config.databaseUrl ? 'postgres' : `pglite:${config.dataDir ?? 'memory'}` }, `${agency.name} subgraph ready`);
    return {
      name: agency.name,
      url: service.url,
      service,
      database,
      stop: async () => {
        await service.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

export async function isEmpty(db: Database, table: string): Promise<boolean> {
  const [row] = await db.query<{ found: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${table}) AS found`);
  return !row?.found;
}

/** What each subgraph's main.ts runs: configuration from the environment, then serve until a signal. */
export function runAgencyMain<L>(agency: AgencyDefinition<L>, seed: SeedFunction): void {
  runUntilSignal(
    () => startAgency(agency, loadSubgraphConfig(agency.name, agency.defaultPort), { seed }),
    createLogger(`${agency.name}-subgraph`),
  );
}

async function loadGatewayKeys(config: SubgraphConfig, logger: Logger): Promise<JSONWebKeySet> {
  if (config.gatewayJwksPath) return readJson<JSONWebKeySet>(config.gatewayJwksPath, 'the gateway\'s public keys (GATEWAY_JWKS_PATH)');
  logger.warn({ path: DEV_GATEWAY_KEY_PATH }, 'GATEWAY_JWKS_PATH is unset: trusting the DEVELOPMENT gateway key; never do this in a deployment');
  return (await loadOrCreateDevKeyPair(DEV_GATEWAY_KEY_PATH, 'gateway-dev')).publicJwks;
}
