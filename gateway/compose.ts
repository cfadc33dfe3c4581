import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

export interface SubgraphSource { name: string; url: string; sdl: string }

/** Composition failed; the message lists every error, one per line, with the subgraph it came from. */
export class CompositionError extends Error {
  override name = 'CompositionError';
}

/** Composes the subgraphs' SDL into a supergraph with @apollo/composition. */
export function composeSupergraph(subgraphs: readonly SubgraphSource[]): string {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors) {
    throw new CompositionError(`The subgraphs do not compose:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}

/**
 * Asks a running subgraph for its SDL (`_service { sdl }`), retrying until it
 * answers or `waitMs` has passed.
 */
export async function fetchSubgraphSdl(url: string, waitMs: number): Promise<string> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ _service { sdl } }' }),
        signal: AbortSignal.timeout(5_000),
      });
      const body = (await response.json()) as { data?: { _service?: { sdl?: string } } };
      const sdl = body.data?._service?.sdl;
      if (sdl) return sdl;
      throw new Error(`answered ${response.status} without an SDL`);
    } catch (error) {
      if (Date.now() >= deadline) throw new Error(`Subgraph at ${url} did not give its SDL: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * 2 ** attempt)));
    }
  }
}

/** Composes from live subgraphs: the development path, and what a gateway without SUPERGRAPH_PATH does at start. */
export async function composeFromSubgraphs(subgraphs: readonly { name: string; url: string }[], waitMs: number): Promise<string> {
  const sources = await Promise.all(subgraphs.map(async (s) => ({ ...s, sdl: await fetchSubgraphSdl(s.url, waitMs) })));
  return composeSupergraph(sources);
}
