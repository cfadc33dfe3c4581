import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import type { AgencyDefinition } from '../../shared';
import { resolvers } from './resolvers';
import { createIdentityLoaders, type IdentityLoaders } from './store';

/** The identity subgraph: demographics and tracing, in the role of the NHS Personal Demographics Service. */
export const identity: AgencyDefinition<IdentityLoaders> = {
  name: 'identity',
  defaultPort: 4001,
  typeDefs: parse(readFileSync(join(__dirname, 'schema.graphql'), 'utf8')),
  resolvers,
  createLoaders: createIdentityLoaders,
  migrationsDir: join(__dirname, 'migrations'),
  serviceRole: 'identity_service',
  primaryTable: 'records.patient',
};
export { seedIdentity } from './seed';
