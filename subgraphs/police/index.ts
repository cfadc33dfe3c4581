import { defineAgency } from '../../shared';
import type { AgencyPlugin } from '../../registry';
import { childFacts, matchFacts, notificationFacts, resolvers } from './resolvers';
import { seedPolice } from './seed';
import { createPoliceLoaders, matching, type PoliceLoaders } from './store';

/**
 * The police subgraph: a force's domestic abuse incidents and its Operation Encompass notifications to
 * children's schools, matched to children without NHS numbers.
 */
export const police = defineAgency<PoliceLoaders>(__dirname, {
  name: 'police',
  resolvers,
  matching,
  createLoaders: (db, settings) => createPoliceLoaders(db, settings as ReturnType<typeof matching.readSettings>),
  primaryTable: 'records.incident',
  recordFacts: {
    Child: childFacts,
    ChildPolice: matchFacts,
    EncompassNotification: notificationFacts,
    PoliceIncident: notificationFacts,
    PoliceRecordedChild: notificationFacts,
    NotifiedSchool: notificationFacts,
    NotifiedLocalAuthority: notificationFacts,
  },
});
export { seedPolice };

/** What the registry loads: the subgraph and its synthetic seed. */
export const plugin: AgencyPlugin = { definition: police, seed: seedPolice };
