import type { AgencyDefinition, SeedFunction } from '../shared';
import { agencyDir, REGISTRY } from './index';

/** What an agency's folder gives the federation: its subgraph and its synthetic seed (`subgraphs/<name>/index.ts` exports it as `plugin`). */
export interface AgencyPlugin {
  definition: AgencyDefinition<unknown>;
  seed: SeedFunction;
}

/**
 * Every agency in the registry with its code, loaded from its folder: what `npm start`, `npm run migrate`, the
 * policy tools and the tests run. Only what runs an agency calls this; the gateway reads the registry alone.
 */
export function loadAgencies(names: readonly string[] = REGISTRY.map((a) => a.name)): AgencyPlugin[] {
  return names.map((name) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the folder is named by the registry, not by an import per agency
    const loaded = require(agencyDir(name)) as { plugin?: AgencyPlugin };
    if (!loaded.plugin || loaded.plugin.definition.name !== name) {
      throw new Error(`subgraphs/${name}/index.ts must export \`plugin\`: { definition, seed } for the agency "${name}"`);
    }
    return loaded.plugin;
  });
}
