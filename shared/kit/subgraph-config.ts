import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, env, isDevelopment, readEnv, type Env } from '../common';
import { operationLimitsFrom, operationLimitsShape, type OperationLimits } from './operation-limits';

export interface SubgraphConfig {
  agency: string;
  /** `<AGENCY>_PORT` @default the agency's own port (4001–4005) */
  port: number;
  /** `HOST` @default '127.0.0.1' */
  host: string;
  /** `<AGENCY>_DATABASE_URL`: PostgreSQL; when unset, embedded PGlite under `dataDir`. */
  databaseUrl?: string;
  /**
   * `<AGENCY>_SERVICE_DATABASE_URL`: a login of the subgraph's own to serve through, a member of the
   * agency's service role and nothing more (it may read the system of record and append to the audit
   * log; it may not change either). With `<AGENCY>_DATABASE_URL` too, the owner migrates and the subgraph
   * serves through this login; alone, the subgraph holds no owner's credentials and only checks that
   * `npm run migrate` has been run. When unset, the subgraph serves through the owner's login, switched
   * to the service role.
   */
  serviceDatabaseUrl?: string;
  /** `DATA_DIR` + `/<agency>`: where PGlite keeps its files; when undefined PGlite keeps everything in memory. @default './data/<agency>' */
  dataDir?: string;
  /** `SEED_IF_EMPTY`: load the synthetic seed when the system of record is empty. @default false */
  seedIfEmpty: boolean;
  /** `SEED_CHILDREN` @default 2000 */
  seedChildren: number;
  /** `SEED` the seed number @default 1 */
  seed: number;
  /** `LOG_LEVEL` @default 'info' */
  logLevel: string;
  /** `NODE_ENV=development` turns on stack traces and introspection. */
  development: boolean;
  /**
   * `GATEWAY_JWKS_PATH`: the gateway's public keys (a JWKS file). When unset, the
   * development key pair in `.keys/` is used (generated on first use), with a warning.
   */
  gatewayJwksPath?: string;
  /**
   * `MAX_QUERY_TOKENS` … `MAX_QUERY_CHILDREN`, as the gateway reads them: the most one call from the gateway may ask
   * for (`_entities` representations count as children). Set them as the gateway's, or higher (docs/limits.md).
   * @default DEFAULT_OPERATION_LIMITS
   */
  operationLimits?: OperationLimits;
}

/** Reads and checks a subgraph's configuration; a bad value throws naming the variable and the value. */
export function loadSubgraphConfig(agency: string, defaultPort: number, source: Env = process.env): SubgraphConfig {
  const prefix = agency.toUpperCase();
  const values = readEnv(
    {
      [`${prefix}_PORT`]: env.port(defaultPort),
      HOST: z.string().default('127.0.0.1'),
      [`${prefix}_DATABASE_URL`]: env.url(['postgres', 'postgresql']).optional(),
      [`${prefix}_SERVICE_DATABASE_URL`]: env.url(['postgres', 'postgresql']).optional(),
      DATA_DIR: z.string().default('./data'),
      SEED_IF_EMPTY: env.boolean(false),
      SEED_CHILDREN: env.positiveInt(2000),
      SEED: env.positiveInt(1),
      LOG_LEVEL: env.logLevel(),
      NODE_ENV: env.nodeEnv(),
      GATEWAY_JWKS_PATH: z.string().optional(),
      ...operationLimitsShape(),
    },
    source,
  ) as Record<string, unknown>;
  const databaseUrl = values[`${prefix}_DATABASE_URL`] as string | undefined;
  const serviceDatabaseUrl = values[`${prefix}_SERVICE_DATABASE_URL`] as string | undefined;
  if (serviceDatabaseUrl && !databaseUrl && values.SEED_IF_EMPTY) {
    throw new ConfigError(
      `Invalid configuration:\n  SEED_IF_EMPTY=true needs ${prefix}_DATABASE_URL (the owner's login): with ${prefix}_SERVICE_DATABASE_URL alone the subgraph cannot write its system of record; seed with \`npm run migrate\` instead`,
    );
  }
  return {
    agency,
    port: values[`${prefix}_PORT`] as number,
    host: values.HOST as string,
    databaseUrl,
    serviceDatabaseUrl,
    dataDir: resolve(values.DATA_DIR as string, agency),
    seedIfEmpty: values.SEED_IF_EMPTY as boolean,
    seedChildren: values.SEED_CHILDREN as number,
    seed: values.SEED as number,
    logLevel: values.LOG_LEVEL as string,
    development: isDevelopment(values.NODE_ENV as string),
    gatewayJwksPath: values.GATEWAY_JWKS_PATH as string | undefined,
    operationLimits: operationLimitsFrom(values),
  };
}
