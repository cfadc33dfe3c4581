import { createLogger, runUntilSignal } from '../shared';
import { loadWebConfig } from './config';
import { startWeb } from './start-web';

runUntilSignal(() => startWeb(loadWebConfig()), createLogger('web'));
