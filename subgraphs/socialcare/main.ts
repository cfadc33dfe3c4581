import { runAgencyMain } from '../../shared';
import { socialcare, seedSocialCare } from './index';

runAgencyMain(socialcare, seedSocialCare);
