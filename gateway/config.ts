import { z } from 'zod';
import { env, isDevelopment, readEnv, type Env } from '../shared';

/** The agencies the gateway federates, and the port each listens on by default. */
export const AGENCIES = [
  { name: 'identity', port: 4001 },
  { name: 'health', port: 4002 },
  { name: 'socialcare', port: 4003 },
  { name: 'housing', port: 4004 },
  { name: 'education', port: 4005 },
] as const;

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
  /** `REDIS_URL`: shared state for several gateways; in memory when unset. */
  redisUrl?: string;
  /** `LOG_LEVEL` @default 'info' */
  logLevel: string;
  /** `NODE_ENV=development` turns on stack traces and introspection. */
  development: boolean;
}

export function loadGatewayConfig(source: Env = process.env): GatewayConfig {
  const urls = Object.fromEntries(AGENCIES.map((a) => [`${a.name.toUpperCase()}_URL`, env.url(['http', 'https']).default(`http://127.0.0.1:${a.port}/graphql`)]));
  const values = readEnv(
    {
      PORT: env.port(4000),
      HOST: z.string().default('127.0.0.1'),
      SUPERGRAPH_PATH: z.string().optional(),
      SUBGRAPH_WAIT_SECONDS: env.positiveInt(60),
      SUBGRAPH_TIMEOUT_MS: env.positiveInt(10_000),
      REDIS_URL: env.url(['redis', 'rediss']).optional(),
      LOG_LEVEL: env.logLevel(),
      NODE_ENV: env.nodeEnv(),
      ...urls,
    },
    source,
  ) as Record<string, unknown>;
  return {
    port: values.PORT as number,
    host: values.HOST as string,
    subgraphs: AGENCIES.map((a) => ({ name: a.name, url: values[`${a.name.toUpperCase()}_URL`] as string })),
    supergraphPath: values.SUPERGRAPH_PATH as string | undefined,
    subgraphWaitSeconds: values.SUBGRAPH_WAIT_SECONDS as number,
    subgraphTimeoutMs: values.SUBGRAPH_TIMEOUT_MS as number,
    redisUrl: values.REDIS_URL as string | undefined,
    logLevel: values.LOG_LEVEL as string,
    development: isDevelopment(values.NODE_ENV as string),
  };
}
