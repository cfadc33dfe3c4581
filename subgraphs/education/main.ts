import { createLogger, loadSubgraphConfig, runUntilSignal, startAgency } from '../../shared';
import { education, seedEducation } from './index';

runUntilSignal(
  () => startAgency(education, loadSubgraphConfig(education.name, education.defaultPort), { seed: seedEducation }),
  createLogger('education-subgraph'),
);
