import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import type { AgencyDefinition } from '../../shared';
import { resolvers } from './resolvers';
import { createSocialCareLoaders, type SocialCareLoaders } from './store';

/** The socialcare subgraph: status, allocated worker, referrals and case notes, from the local authority's case-management system. */
export const socialcare: AgencyDefinition<SocialCareLoaders> = {
  name: 'socialcare',
  defaultPort: 4003,
  typeDefs: parse(readFileSync(join(__dirname, 'schema.graphql'), 'utf8')),
  resolvers,
  createLoaders: createSocialCareLoaders,
  migrationsDir: join(__dirname, 'migrations'),
  serviceRole: 'socialcare_service',
  primaryTable: 'records.person',
};
export { seedSocialCare } from './seed';
