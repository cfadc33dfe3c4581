import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout, one logger per service, named for it. */
export function createLogger(service: string, level: string = 'info'): Logger {
  return pino({ name: service, level, base: { service } });
}
