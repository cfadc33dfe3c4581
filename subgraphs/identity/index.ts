import { defineAgency } from '../../shared';
import { resolvers } from './resolvers';
import { createIdentityLoaders, type ChildRecord, type IdentityLoaders } from './store';

/** The identity subgraph: demographics and tracing, in the role of the NHS Personal Demographics Service. */
export const identity = defineAgency<IdentityLoaders>(__dirname, {
  name: 'identity',
  defaultPort: 4001,
  resolvers,
  createLoaders: createIdentityLoaders,
  primaryTable: 'records.patient',
  // Only the address depends on the record: it is never disclosed for a restricted child.
  recordFacts: { Child: (child: ChildRecord) => ({ relationships: new Set<string>(), consented: false, restricted: child.restricted }) },
});
export { seedIdentity } from './seed';
