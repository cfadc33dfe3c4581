import { defineAgency } from '../../shared';
import type { AgencyPlugin } from '../../registry';
import { seedIdentity } from './seed';
import { resolvers } from './resolvers';
import { createIdentityLoaders, type ChildRecord, type IdentityLoaders } from './store';

/** The identity subgraph: demographics and tracing, in the role of the NHS Personal Demographics Service. */
export const identity = defineAgency<IdentityLoaders>(__dirname, {
  name: 'identity',
  resolvers,
  createLoaders: createIdentityLoaders,
  // Fuzzy search blocks on the kit's keys (migrations/006_blocking_keys.sql indexes them).
  blocking: true,
  primaryTable: 'records.patient',
  // Only the address depends on the record: it is never disclosed for a restricted child.
  recordFacts: { Child: (child: ChildRecord) => ({ relationships: new Set<string>(), consented: false, restricted: child.restricted }) },
});
export { seedIdentity };

/** What the registry loads: the subgraph and its synthetic seed. */
export const plugin: AgencyPlugin = { definition: identity, seed: seedIdentity };
