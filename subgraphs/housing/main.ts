import { createLogger, loadSubgraphConfig, runUntilSignal, startAgency } from '../../shared';
import { housing, seedHousing } from './index';

runUntilSignal(
  () => startAgency(housing, loadSubgraphConfig(housing.name, housing.defaultPort), { seed: seedHousing }),
  createLogger('housing-subgraph'),
);
