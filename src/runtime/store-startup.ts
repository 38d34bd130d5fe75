/**
 * A daemon's first step, opening the store and applying migrations, waits for the database as long
 * as it takes: started while the database is down, locked or still starting (PostgreSQL booting
 * after gtc, a restart after kill -9 while its predecessor's connections close), it tries again on
 * the recovery backoff instead of exiting — an unattended process that exits on a transient error
 * stays down. Anything else (a bad URL, a schema newer than this build, no permission) ends it at once.
 */
import type { Clock } from '../lib/clock.ts';
import { errorMessage, GtcError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import type { Store } from '../store/index.ts';
import { retryDelay } from './backoff.ts';

export interface StoreStartupOptions {
  clock: Clock;
  logger: Logger;
  /** recovery.retryBackoff: [first delay, cap]. */
  backoff: readonly [number, number];
}

export async function openStoreWhenReady(open: () => Promise<Store>, options: StoreStartupOptions): Promise<Store> {
  const { clock, logger, backoff } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      const unavailable = error instanceof GtcError && (error.failureClass === 'db-down' || error.failureClass === 'db-locked');
      if (!unavailable) throw error;
      const retryInMs = retryDelay(attempt, backoff);
      logger.warn({ err: errorMessage(error), attempt, retryInMs }, 'the database is not ready; opening it again after a backoff');
      // No stop signal yet: a SIGTERM now ends the process as it is, with nothing open to close.
      await clock.sleep(retryInMs);
    }
  }
}
