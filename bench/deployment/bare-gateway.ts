import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

/**
 * `SUPERGRAPH_PATH=… PORT=… npx tsx bench/deployment/bare-gateway.ts`: a plain @apollo/gateway in a plain Apollo
 * Server over the supergraph given (the bare subgraphs' URLs in it), with Apollo's defaults: the reference the
 * deployment bench measures the product against. Never deployed.
 */
async function main() {
  const supergraphSdl = readFileSync(process.env.SUPERGRAPH_PATH!, 'utf8');
  const server = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl }) });
  const { url } = await startStandaloneServer(server, { listen: { port: Number(process.env.PORT), host: '127.0.0.1' } });
  process.stdout.write(`bare gateway ready at ${url}\n`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
