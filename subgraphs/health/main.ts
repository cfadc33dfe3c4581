import { runAgencyMain } from '../../shared';
import { health, seedHealth } from './index';

runAgencyMain(health, seedHealth);
