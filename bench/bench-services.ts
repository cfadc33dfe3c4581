import { join } from 'node:path';
import { REGISTRY } from '../registry';

/** A numeric command-line option that must be a whole number of at least `min`, or the bench refuses to start, naming it. */
export function wholeNumberOption(name: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min}; got "${String(value)}"`);
  return n;
}

/** One new database per agency on the PostgreSQL server at `server`, named `<prefix>_<agency>_<suffix>`: their URLs, by agency. */
export function agencyDatabaseUrls(server: string, prefix: string, suffix: string): Record<string, string> {
  return Object.fromEntries(
    REGISTRY.map((a) => {
      const url = new URL(server);
      url.pathname = `/${prefix}_${a.name}_${suffix}`;
      return [a.name, url.toString()];
    }),
  );
}

/**
 * The environment of a benchmark's gateway process (`gateway/main.ts`), its keys in `dir` (`idp.jwks.json`,
 * `gateway.jwk.json`) and its subgraphs at `subgraphs`. The one benchmark caller does what a county's practitioners
 * do between them, so its per-caller rate limits and unusual-access thresholds are lifted: counted on every request,
 * never crossed (an alert would add a call to identity). Shared state is in memory, and the bench's operations are
 * its own, not a registered client's.
 */
export function benchGatewayEnv(options: {
  dir: string;
  name: string;
  port: number;
  subgraphs: readonly { name: string; url: string }[];
}): Record<string, string> {
  return {
    ...Object.fromEntries(options.subgraphs.map((s) => [`${s.name.toUpperCase()}_URL`, s.url])),
    PORT: String(options.port),
    AUTH_JWKS_PATH: join(options.dir, 'idp.jwks.json'),
    GATEWAY_SIGNING_KEY_PATH: join(options.dir, 'gateway.jwk.json'),
    GATEWAY_AUDIT_PATH: join(options.dir, `${options.name}-audit.jsonl`),
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    REDIS_URL: '',
    RATE_REQUESTS_PER_MINUTE: '10000000',
    RATE_CHILDREN_PER_MINUTE: '10000000',
    RATE_SEARCHES_PER_MINUTE: '10000000',
    RATE_FUZZY_SEARCHES_PER_MINUTE: '10000000',
    RATE_POSTCODE_SEARCHES_PER_MINUTE: '10000000',
    RATE_CONCURRENT_REQUESTS: '1000',
    UNUSUAL_CHILDREN_PER_HOUR: '1000000000',
    UNUSUAL_SEARCH_MINIMUM: '1000000000',
    TRUSTED_DOCUMENTS: 'allow',
  };
}
