import { defineAgency } from '../../shared';
import { recordFacts } from './record-facts';
import { resolvers } from './resolvers';
import { createHousingLoaders, readHousingSettings, type HousingLoaders, type HousingSettings } from './store';

/** The housing subgraph: a social landlord's tenancies and households, matched to children without NHS numbers. */
export const housing = defineAgency<HousingLoaders>(__dirname, {
  name: 'housing',
  defaultPort: 4004,
  resolvers,
  createLoaders: (db, settings) => createHousingLoaders(db, settings as HousingSettings),
  readSettings: readHousingSettings,
  primaryTable: 'records.tenancy',
  recordFacts,
});
export { seedHousing } from './seed';
