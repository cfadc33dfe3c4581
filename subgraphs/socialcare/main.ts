import { createLogger, loadSubgraphConfig, runUntilSignal, startAgency } from '../../shared';
import { seedSocialCare, socialcare } from './index';

runUntilSignal(
  () => startAgency(socialcare, loadSubgraphConfig(socialcare.name, socialcare.defaultPort), { seed: seedSocialCare }),
  createLogger('socialcare-subgraph'),
);
