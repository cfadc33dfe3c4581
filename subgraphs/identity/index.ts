import { defineAgency } from '../../shared';
import { resolvers } from './resolvers';
import { createIdentityLoaders, type IdentityLoaders } from './store';

/** The identity subgraph: demographics and tracing, in the role of the NHS Personal Demographics Service. */
export const identity = defineAgency<IdentityLoaders>(__dirname, {
  name: 'identity',
  defaultPort: 4001,
  resolvers,
  createLoaders: createIdentityLoaders,
  primaryTable: 'records.patient',
});
export { seedIdentity } from './seed';
