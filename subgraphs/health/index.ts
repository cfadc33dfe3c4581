import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import type { AgencyDefinition } from '../../shared';
import { resolvers } from './resolvers';
import { createHealthLoaders, type HealthLoaders } from './store';

/** The health subgraph: GP registration, health visitor, immunisations, A&E attendances and conditions, from the GP clinical system. */
export const health: AgencyDefinition<HealthLoaders> = {
  name: 'health',
  defaultPort: 4002,
  typeDefs: parse(readFileSync(join(__dirname, 'schema.graphql'), 'utf8')),
  resolvers,
  createLoaders: createHealthLoaders,
  migrationsDir: join(__dirname, 'migrations'),
  serviceRole: 'health_service',
  primaryTable: 'records.registration',
};
export { seedHealth } from './seed';
