/**
 * While the database is down (its write breaker open on a dropped or refused connection, a full
 * disk, an I/O error), the daemon probes it every `recovery.databaseProbeWhileDown`: a query and the
 * write lock, local and free. The first pass closes the breaker and ends the writes' retry waits
 * (Store.probe) and wakes the instances waiting on the database — a restarted PostgreSQL is seen
 * within a second, not at the breaker's next half-open attempt or an instance's next probe (5 s).
 * A lock is not watched: a write waiting in SQLite's busy handler sees its end at once.
 */
import type { Clock } from '../lib/clock.ts';
import type { Probe } from './probe.ts';

export interface DatabaseWatchOptions {
  /** True while the database is down (not merely locked). */
  isDown: () => boolean;
  /** The daemon's database probe (a pass wakes the instances waiting on the database). */
  probe: Probe;
  clock: Clock;
  everyMs: number;
  signal: AbortSignal;
}

/**
 * Runs until `signal` aborts; each probe is spaced `everyMs` from the previous one's start, and
 * awaited whole (a connect to a host that does not answer ends at the pool's connect timeout), so
 * probes never pile up.
 */
export async function watchDatabaseWhileDown(options: DatabaseWatchOptions): Promise<void> {
  const { isDown, probe, clock, everyMs, signal } = options;
  while (!signal.aborted) {
    const startedAt = clock.now();
    if (isDown()) await probe(signal).catch(() => undefined);
    const pause = startedAt + everyMs - clock.now();
    if (pause <= 0) continue;
    try {
      await clock.sleep(pause, signal);
    } catch {
      return;
    }
  }
}
