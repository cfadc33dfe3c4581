import { defineAgency } from '../../shared';
import { recordFacts } from './record-facts';
import { resolvers } from './resolvers';
import { createHousingLoaders, type HousingLoaders } from './store';

/** The housing subgraph: a social landlord's tenancies and households, matched to children without NHS numbers. */
export const housing = defineAgency<HousingLoaders>(__dirname, {
  name: 'housing',
  defaultPort: 4004,
  resolvers,
  createLoaders: createHousingLoaders,
  primaryTable: 'records.tenancy',
  recordFacts,
});
export { seedHousing } from './seed';
