import { createLogger, loadSubgraphConfig, runUntilSignal, startAgency } from '../../shared';
import { health, seedHealth } from './index';

runUntilSignal(
  () => startAgency(health, loadSubgraphConfig(health.name, health.defaultPort), { seed: seedHealth }),
  createLogger('health-subgraph'),
);
