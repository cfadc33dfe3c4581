import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { CONTEXT_HEADER } from '../shared';

export interface SubgraphSource {
  name: string;
  url: string;
  sdl: string;
}

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

/** Signs the request for one subgraph's SDL (audience = its name): `createSdlRequestSigner` with the gateway's key. */
export type SdlRequestSigner = (subgraph: string) => Promise<string>;

/** A subgraph that refuses to give its SDL: asking again will not change its answer. */
class SdlRefused extends Error {}

/**
 * Asks a running subgraph for its SDL (`_service { sdl }`), retrying until it answers or `waitMs` has passed.
 * Outside development a subgraph gives it only to a request the gateway signed (`signed` gives the signature); a refusal is not retried.
 */
export async function fetchSubgraphSdl(url: string, waitMs: number, signed?: () => Promise<string>): Promise<string> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signed ? { [CONTEXT_HEADER]: await signed() } : {}) },
        body: JSON.stringify({ query: '{ _service { sdl } }' }),
        signal: AbortSignal.timeout(5_000),
      });
      if (response.status === 401 || response.status === 403) {
        throw new SdlRefused(
          `it refused the ${signed ? 'signed ' : ''}request (HTTP ${response.status})${signed ? ": does it trust the gateway's key?" : ": outside development a subgraph gives its SDL only to a request signed with the gateway's key (pass composeFromSubgraphs a signer)"}`,
        );
      }
      const body = (await response.json()) as { data?: { _service?: { sdl?: string } } };
      const sdl = body.data?._service?.sdl;
      if (sdl) return sdl;
      throw new Error(`answered ${response.status} without an SDL`);
    } catch (error) {
      if (error instanceof SdlRefused || Date.now() >= deadline)
        throw new Error(`Subgraph at ${url} did not give its SDL: ${(error as Error).message}`, { cause: error });
      await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * 2 ** attempt)));
    }
  }
}

/**
 * Composes from live subgraphs: the development path, and what a gateway without SUPERGRAPH_PATH does at start.
 * `sign` signs each SDL request with the gateway's key, as subgraphs outside development require.
 */
export async function composeFromSubgraphs(subgraphs: readonly { name: string; url: string }[], waitMs: number, sign?: SdlRequestSigner): Promise<string> {
  const sources = await Promise.all(subgraphs.map(async (s) => ({ ...s, sdl: await fetchSubgraphSdl(s.url, waitMs, sign && (() => sign(s.name))) })));
  return composeSupergraph(sources);
}
