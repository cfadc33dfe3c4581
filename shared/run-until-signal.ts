import type { Logger } from './logger';

/** Starts a service and stops it cleanly on SIGINT or SIGTERM; a failed start exits 1 with the reason. */
export function runUntilSignal(start: () => Promise<{ stop(): Promise<void> }>, logger: Pick<Logger, 'fatal' | 'info'>): void {
  Promise.resolve().then(start).then(
    (running) => {
      // A second signal (SIGINT after SIGTERM) waits for the one stop rather than starting another.
      let stopping: Promise<void> | null = null;
      const stop = (signal: string) => {
        logger.info({ signal }, 'stopping');
        stopping ??= running.stop().then(() => process.exit(0), () => process.exit(1));
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
