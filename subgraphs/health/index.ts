import { defineAgency } from '../../shared';
import type { AgencyPlugin } from '../../registry';
import { seedHealth } from './seed';
import { childHealthFacts, resolvers } from './resolvers';
import { createHealthLoaders, type HealthLoaders } from './store';

/** The health subgraph: GP registration, health visitor, immunisations, A&E attendances and conditions, from the GP clinical system. */
export const health = defineAgency<HealthLoaders>(__dirname, {
  name: 'health',
  resolvers,
  createLoaders: createHealthLoaders,
  primaryTable: 'records.registration',
  recordFacts: { ChildHealth: childHealthFacts },
});
export { seedHealth };

/** What the registry loads: the subgraph and its synthetic seed. */
export const plugin: AgencyPlugin = { definition: health, seed: seedHealth };
