import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import type { AgencyDefinition } from '../../shared';
import { resolvers } from './resolvers';
import { createEducationLoaders, type EducationLoaders } from './store';

/** The education subgraph: school, attendance, exclusions and SEN, over a school census store. */
export const education: AgencyDefinition<EducationLoaders> = {
  name: 'education',
  defaultPort: 4005,
  typeDefs: parse(readFileSync(join(__dirname, 'schema.graphql'), 'utf8')),
  resolvers,
  createLoaders: createEducationLoaders,
  migrationsDir: join(__dirname, 'migrations'),
  serviceRole: 'education_service',
  primaryTable: 'records.pupil',
};
export { seedEducation } from './seed';
