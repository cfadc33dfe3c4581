import { runAgencyMain } from '../../shared';
import { education, seedEducation } from './index';

runAgencyMain(education, seedEducation);
