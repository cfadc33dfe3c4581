import { runAgencyMain } from '../../shared';
import { identity, seedIdentity } from './index';

runAgencyMain(identity, seedIdentity);
