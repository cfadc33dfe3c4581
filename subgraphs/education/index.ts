import { defineAgency } from '../../shared';
import { childEducationFacts, resolvers } from './resolvers';
import { createEducationLoaders, type EducationLoaders } from './store';

/** The education subgraph: school, attendance, exclusions and SEN, over a school census store. */
export const education = defineAgency<EducationLoaders>(__dirname, {
  name: 'education',
  defaultPort: 4005,
  resolvers,
  createLoaders: createEducationLoaders,
  primaryTable: 'records.pupil',
  recordFacts: { ChildEducation: childEducationFacts },
});
export { seedEducation } from './seed';
