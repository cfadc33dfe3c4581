import { createLogger, loadSubgraphConfig, runUntilSignal, startAgency } from '../../shared';
import { identity, seedIdentity } from './index';

runUntilSignal(
  () => startAgency(identity, loadSubgraphConfig(identity.name, identity.defaultPort), { seed: seedIdentity }),
  createLogger('identity-subgraph'),
);
