import type { AgencyDefinition, SeedFunction } from '../shared';
import { education, seedEducation } from '../subgraphs/education';
import { health, seedHealth } from '../subgraphs/health';
import { housing, seedHousing } from '../subgraphs/housing';
import { identity, seedIdentity } from '../subgraphs/identity';
import { seedSocialCare, socialcare } from '../subgraphs/socialcare';

/** Every agency in this repository with its synthetic seed: what `npm start`, `npm run seed` and the tests run. */
export const agencies: { definition: AgencyDefinition<unknown>; seed: SeedFunction }[] = [
  { definition: identity as AgencyDefinition<unknown>, seed: seedIdentity },
  { definition: health as AgencyDefinition<unknown>, seed: seedHealth },
  { definition: socialcare as AgencyDefinition<unknown>, seed: seedSocialCare },
  { definition: housing as AgencyDefinition<unknown>, seed: seedHousing },
  { definition: education as AgencyDefinition<unknown>, seed: seedEducation },
];
