import { createLogger, runUntilSignal } from '../shared';
import { loadGatewayConfig } from './config';
import { startGateway } from './start-gateway';

runUntilSignal(() => startGateway(loadGatewayConfig()), createLogger('gateway'));
