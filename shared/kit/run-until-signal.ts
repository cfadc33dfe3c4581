import type { Logger } from '../common';

/**
 * Starts a service and stops it cleanly on SIGINT or SIGTERM; a failed start exits 1 with the reason.
 * A promise rejected with nobody waiting for it is logged as an error and the service keeps serving.
 */
export function runUntilSignal(start: () => Promise<{ stop(): Promise<void> }>, logger: Pick<Logger, 'fatal' | 'error' | 'info'>): void {
  // Such a rejection is a fault to fix where it starts, but Node would end the process for it, cutting off every
  // request in flight with the reason only on stderr; each request already refuses what it cannot do itself.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'a promise was rejected with nothing to handle it (a fault): still serving'));
  Promise.resolve()
    .then(start)
    .then(
      (running) => {
        // A second signal (SIGINT after SIGTERM) waits for the one stop rather than starting another.
        let stopping: Promise<void> | null = null;
        const stop = (signal: string) => {
          logger.info({ signal }, 'stopping');
          stopping ??= running.stop().then(
            () => process.exit(0),
            () => process.exit(1),
          );
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      },
      (error: Error) => {
        logger.fatal({ err: error }, 'failed to start');
        // Also in plain words on stderr, for the person starting it.
        process.stderr.write(`Failed to start: ${error.message}\n`);
        process.exitCode = 1;
        setTimeout(() => process.exit(1), 100).unref();
      },
    );
}
