import { defineAgency } from '../../shared';
import type { AgencyPlugin } from '../../registry';
import { seedEducation } from './seed';
import { childEducationFacts, resolvers } from './resolvers';
import { createEducationLoaders, type EducationLoaders } from './store';

/** The education subgraph: school, attendance, exclusions and SEN, over a school census store. */
export const education = defineAgency<EducationLoaders>(__dirname, {
  name: 'education',
  resolvers,
  createLoaders: createEducationLoaders,
  primaryTable: 'records.pupil',
  recordFacts: { ChildEducation: childEducationFacts },
});
export { seedEducation };

/** What the registry loads: the subgraph and its synthetic seed. */
export const plugin: AgencyPlugin = { definition: education, seed: seedEducation };
