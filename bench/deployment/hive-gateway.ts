import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { RequestListener } from 'node:http';

interface GatewayRuntime extends RequestListener {
  [Symbol.asyncDispose](): Promise<void>;
}
// Required, not imported: the runtime's types bring GraphQL Yoga's, which widen graphql's error extensions for the whole project.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createGatewayRuntime } = require('@graphql-hive/gateway-runtime') as { createGatewayRuntime: (config: Record<string, unknown>) => GatewayRuntime };

/**
 * `SUPERGRAPH_PATH=… PORT=… npx tsx bench/deployment/hive-gateway.ts`: Hive Gateway's runtime (pinned in
 * package.json) over the supergraph given, served by Node's HTTP server: the Node gateway a user would pick instead
 * of Apollo's. Its in-flight deduplication is off, inbound (its default) and towards the subgraphs (on by default):
 * with it on, the load generator's identical requests would be merged into one, which no two practitioners' requests
 * are. Logging is off, as the other gateways log nothing per request. Never deployed.
 */
const gateway = createGatewayRuntime({
  supergraph: readFileSync(process.env.SUPERGRAPH_PATH!, 'utf8'),
  logging: false,
  inboundInflightRequestDeduplication: false,
  transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } },
});
const server = createServer(gateway);
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write(`hive gateway ready on ${process.env.PORT}\n`));
const stop = () => server.close(() => void gateway[Symbol.asyncDispose]().then(() => process.exit(0)));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
