export { freePort, start, waitForHealth, type Service } from '../tools/soak/processes';
