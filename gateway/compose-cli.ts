import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadSubgraphUrls } from './config';
import { composeSupergraph } from './compose';
import { readAgencySdl } from '../shared';

/**
 * `npm run compose [-- --out FILE]`: composes the supergraph from each
 * subgraph's schema.graphql, with the URLs the gateway is configured with,
 * and writes it (default ./supergraph.graphql).
 */
function main(argv: string[]): void {
  const outIndex = argv.indexOf('--out');
  const out = resolve(outIndex >= 0 && argv[outIndex + 1] ? argv[outIndex + 1]! : process.env.SUPERGRAPH_PATH ?? 'supergraph.graphql');
  const sources = loadSubgraphUrls().map((s) => ({ ...s, sdl: readAgencySdl(join(__dirname, '..', 'subgraphs', s.name), s.name) }));
  writeFileSync(out, composeSupergraph(sources));
  process.stdout.write(`Composed ${sources.map((s) => s.name).join(', ')} into ${out}\n`);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
