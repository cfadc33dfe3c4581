import { runAgencyMain } from '../../shared';
import { police, seedPolice } from './index';

runAgencyMain(police, seedPolice);
