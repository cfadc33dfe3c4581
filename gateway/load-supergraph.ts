import { readFileSync } from 'node:fs';
import { composeFromSubgraphs, type SdlRequestSigner } from './compose';
import type { GatewayConfig } from './config';

/** The supergraph from SUPERGRAPH_PATH when set, else composed from the live subgraphs, asking each for its SDL signed by `sign`. */
export async function loadSupergraph(
  config: Pick<GatewayConfig, 'supergraphPath' | 'subgraphs' | 'subgraphWaitSeconds'>,
  sign?: SdlRequestSigner,
): Promise<string> {
  if (config.supergraphPath) return readFileSync(config.supergraphPath, 'utf8');
  return composeFromSubgraphs(config.subgraphs, config.subgraphWaitSeconds * 1000, sign);
}
