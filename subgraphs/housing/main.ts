import { runAgencyMain } from '../../shared';
import { housing, seedHousing } from './index';

runAgencyMain(housing, seedHousing);
