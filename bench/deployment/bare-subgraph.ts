import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { loadAgencies } from '../../registry';
import { createAuditCollector, createLogger, loadSubgraphConfig, openOwnerDatabase, prepareAgencyDatabase } from '../../shared';

/**
 * `npx tsx bench/deployment/bare-subgraph.ts <agency>`: the agency's schema, resolvers and SQL served by a plain
 * @apollo/subgraph schema in a plain Apollo Server (its standalone HTTP server), for the deployment bench's
 * reference federation: no signed context, no authorisation (gateway's or the agency's), no record rules, no audit,
 * no operation limits, no related-children counting. What Apollo Federation alone costs on this data and this SQL.
 * It reads the agency's database as the product's subgraph does (with PostgreSQL, the same database; with the
 * embedded database, its own copy, seeded from the same seed number). Never deployed.
 */
const name = process.argv[2];
const agency = loadAgencies().find((a) => a.definition.name === name);
if (!agency) throw new Error(`usage: bench/deployment/bare-subgraph.ts <agency>; "${name}" is not in the registry`);
const { definition } = agency;

async function main() {
  const logger = createLogger(`${definition.name}-bare`);
  const config = loadSubgraphConfig(definition.name, definition.defaultPort);
  const database = await openOwnerDatabase(config);
  await prepareAgencyDatabase(definition, config, database.owner, { seed: agency!.seed, logger });
  // As the product's subgraph serves: as the agency's service role, on a pool of its own.
  const db = await database.asRole(definition.serviceRole);
  const settings = definition.readSettings?.(process.env);
  const server = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs: definition.typeDefs, resolvers: definition.resolvers as never }) });
  // The resolvers' context as the kit builds it, with no caller: nothing here decides on one.
  const { url } = await startStandaloneServer(server, {
    listen: { port: config.port, host: '127.0.0.1' },
    context: async () => ({ loaders: definition.createLoaders(db, settings), db, authority: null, audit: createAuditCollector(), related: new Set<string>() }),
  });
  logger.info({ url }, 'bare subgraph ready');
  const stop = () => void server.stop().then(() => database.close().then(() => process.exit(0)));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
