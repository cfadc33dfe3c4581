import { defineAgency } from '../../shared';
import { childHealthFacts, resolvers } from './resolvers';
import { createHealthLoaders, type HealthLoaders } from './store';

/** The health subgraph: GP registration, health visitor, immunisations, A&E attendances and conditions, from the GP clinical system. */
export const health = defineAgency<HealthLoaders>(__dirname, {
  name: 'health',
  defaultPort: 4002,
  resolvers,
  createLoaders: createHealthLoaders,
  primaryTable: 'records.registration',
  recordFacts: { ChildHealth: childHealthFacts },
});
export { seedHealth } from './seed';
