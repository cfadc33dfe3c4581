import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { apiSchemaSdl, breakingChanges } from './api-schema';
import { loadSubgraphUrls } from './config';
import { composeSupergraph } from './compose';
import { readAgencySdl } from '../shared';

/** The client-facing API schema, committed for front-end teams, and the breaking changes to it that were agreed. */
const API_SCHEMA_PATH = join(__dirname, '..', 'schema', 'api.graphql');
const ACKNOWLEDGED_BREAKS_PATH = join(__dirname, '..', 'schema', 'acknowledged-breaks.txt');

/**
 * `npm run compose [-- --out FILE] [--api-schema FILE]`: composes the supergraph from each
 * subgraph's schema.graphql, with the URLs the gateway is configured with,
 * and writes it (default ./supergraph.graphql), and the API schema clients see
 * (default schema/api.graphql). A change that can break a client, against the API
 * schema already there, is refused unless schema/acknowledged-breaks.txt lists it.
 */
function main(argv: string[]): void {
  const option = (name: string) => (argv.indexOf(name) >= 0 ? argv[argv.indexOf(name) + 1] : undefined);
  const out = resolve(option('--out') ?? process.env.SUPERGRAPH_PATH ?? 'supergraph.graphql');
  const apiOut = resolve(option('--api-schema') ?? API_SCHEMA_PATH);
  const sources = loadSubgraphUrls().map((s) => ({ ...s, sdl: readAgencySdl(join(__dirname, '..', 'subgraphs', s.name), s.name) }));
  const supergraph = composeSupergraph(sources);
  const api = apiSchemaSdl(supergraph);
  if (existsSync(apiOut)) {
    const acknowledged = existsSync(ACKNOWLEDGED_BREAKS_PATH)
      ? readFileSync(ACKNOWLEDGED_BREAKS_PATH, 'utf8')
          .split('\n')
          .map((l) => l.trim())
      : [];
    const unacknowledged = breakingChanges(readFileSync(apiOut, 'utf8'), api).filter((b) => !acknowledged.includes(b));
    if (unacknowledged.length > 0) {
      throw new Error(
        `The graph would break clients of ${apiOut}:\n  ${unacknowledged.join('\n  ')}\nAgree each with the front-end teams, then add its line to ${ACKNOWLEDGED_BREAKS_PATH} and compose again.`,
      );
    }
  }
  writeFileSync(out, supergraph);
  mkdirSync(dirname(apiOut), { recursive: true });
  writeFileSync(apiOut, api);
  process.stdout.write(`Composed ${sources.map((s) => s.name).join(', ')} into ${out}, and the API schema clients see into ${apiOut}\n`);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
