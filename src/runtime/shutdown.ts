/**
 * Signal handling for `gtc start` and `gtc demo`. The first SIGINT/SIGTERM stops new runs,
 * aborts running runs' network waits, lets a write transaction in progress commit, runs the
 * caller's close hooks (HTTP server…) and closes the database. A second signal exits at once
 * with code 130: the database stays intact (SQLite WAL / PostgreSQL roll back an unfinished
 * transaction), only the interrupted run is closed as 'abandoned' at the next start.
 */
import type { Logger } from '../lib/log.ts';
import type { Daemon } from './daemon.ts';

export interface ShutdownOptions {
  daemon: Pick<Daemon, 'stop'>;
  /** Closed last, after the daemon stopped and the hooks ran. */
  store?: { close(): Promise<void> };
  logger: Logger;
  /** Run after the daemon stopped and before the store closes (e.g. closing the HTTP server). */
  beforeClose?: readonly (() => Promise<void>)[];
  signals?: readonly NodeJS.Signals[];
  /** What a second signal calls; process.exit by default. */
  exit?: (code: number) => void;
  /** Where signals come from; the process by default. */
  emitter?: Pick<NodeJS.Process, 'on' | 'off'>;
}

export interface ShutdownHandle {
  /** Resolves with the signal once the graceful stop has finished. */
  readonly done: Promise<NodeJS.Signals>;
  /** Stops listening for signals (the graceful stop, if started, continues). */
  dispose(): void;
}

export function stopOnSignals(options: ShutdownOptions): ShutdownHandle {
  const emitter = options.emitter ?? process;
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  let resolveDone: (signal: NodeJS.Signals) => void = () => undefined;
  let rejectDone: (error: unknown) => void = () => undefined;
  const done = new Promise<NodeJS.Signals>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      options.logger.warn({ signal }, 'second signal: exiting now');
      exit(130);
      return;
    }
    stopping = true;
    options.logger.info({ signal }, 'signal received: stopping (send it again to exit at once)');
    void (async () => {
      await options.daemon.stop();
      for (const hook of options.beforeClose ?? []) {
        await hook().catch((err: unknown) => options.logger.error({ err }, 'a shutdown hook failed'));
      }
      await options.store?.close();
      options.logger.info('stopped cleanly');
    })().then(() => resolveDone(signal), rejectDone);
  };

  for (const signal of signals) emitter.on(signal, onSignal);
  return {
    done,
    dispose: () => {
      for (const signal of signals) emitter.off(signal, onSignal);
    },
  };
}
