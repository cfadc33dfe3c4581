import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import type { AgencyDefinition } from '../../shared';
import { resolvers } from './resolvers';
import { createHousingLoaders, type HousingLoaders } from './store';

/** The housing subgraph: a social landlord's tenancies and households, matched to children without NHS numbers. */
export const housing: AgencyDefinition<HousingLoaders> = {
  name: 'housing',
  defaultPort: 4004,
  typeDefs: parse(readFileSync(join(__dirname, 'schema.graphql'), 'utf8')),
  resolvers,
  createLoaders: createHousingLoaders,
  migrationsDir: join(__dirname, 'migrations'),
  serviceRole: 'housing_service',
  primaryTable: 'records.tenancy',
};
export { seedHousing } from './seed';
