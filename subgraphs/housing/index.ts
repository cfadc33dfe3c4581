import { defineAgency } from '../../shared';
import type { AgencyPlugin } from '../../registry';
import { seedHousing } from './seed';
import { recordFacts } from './record-facts';
import { resolvers } from './resolvers';
import { createHousingLoaders, matching, type HousingLoaders } from './store';

/** The housing subgraph: a social landlord's tenancies and households, matched to children without NHS numbers. */
export const housing = defineAgency<HousingLoaders>(__dirname, {
  name: 'housing',
  resolvers,
  matching,
  createLoaders: (db, settings) => createHousingLoaders(db, settings as ReturnType<typeof matching.readSettings>),
  primaryTable: 'records.tenancy',
  recordFacts,
});
export { seedHousing };

/** What the registry loads: the subgraph and its synthetic seed. */
export const plugin: AgencyPlugin = { definition: housing, seed: seedHousing };
