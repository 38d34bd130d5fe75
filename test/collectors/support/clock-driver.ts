/**
 * Drives a ManualClock shared by the simulator, the API client's rate limiter and the collectors:
 * whenever no HTTP request is in flight, time jumps to the earliest sleeper (the limiter's next
 * token, a collector loop's next run). Requests are counted in flight from the limiter granting a
 * call (onAcquire) to the response (ApiHooks.onRequest), and the jump's target is chosen before
 * anything wakes, so simulated time never moves under a request (its timeout never fires) and
 * hours of simulated collection run in seconds. On PostgreSQL, queries are real I/O too: with
 * `trackPostgres()` they count as in flight as well (the driver wraps pg's query and connect to
 * count them; every query still goes to the real server).
 */
import pg from 'pg';
import type { ApiHooks, RateLimiterOptions } from '../../../src/api/index.ts';
import type { ManualClock } from '../../../src/lib/clock.ts';

/** Where pg's (process-wide) query and connect report their activity: the tracking driver. */
let pgActivity: { begin: () => void; end: () => void } | undefined;
let pgWrapped = false;

export class ClockDriver {
  private inFlight = 0;
  /** Calls answered (every attempt, retries included). */
  requests = 0;

  constructor(readonly clock: ManualClock) {}

  /** Real milliseconds during which at least one API request was in flight (benchmarks subtract it). */
  httpMs = 0;
  private httpSince = 0;
  private httpCount = 0;

  /** Options for the RateLimiter: counts a request as in flight once its call is granted. */
  limiterHooks(): Pick<RateLimiterOptions, 'onAcquire'> {
    return {
      onAcquire: () => {
        this.inFlight += 1;
        if (this.httpCount++ === 0) this.httpSince = performance.now();
      },
    };
  }

  /** Hooks for the API client: the request is over. */
  apiHooks(): ApiHooks {
    return {
      onRequest: () => {
        this.inFlight = Math.max(0, this.inFlight - 1);
        this.requests += 1;
        if (--this.httpCount === 0) this.httpMs += performance.now() - this.httpSince;
      },
    };
  }

  /** Counts PostgreSQL queries (and pool connects) of this process as in flight. */
  trackPostgres(): void {
    pgActivity = { begin: () => void (this.inFlight += 1), end: () => void (this.inFlight -= 1) };
    if (pgWrapped) return;
    pgWrapped = true;
    const count = <A extends unknown[], R>(original: (...args: A) => R) => function (this: unknown, ...args: A): R {
      const result = original.apply(this, args);
      const activity = pgActivity;
      if (activity && result instanceof Promise) {
        activity.begin();
        result.then(activity.end, activity.end);
      }
      return result;
    };
    pg.Client.prototype.query = count(pg.Client.prototype.query) as typeof pg.Client.prototype.query;
    pg.Pool.prototype.connect = count(pg.Pool.prototype.connect) as typeof pg.Pool.prototype.connect;
  }

  /** Runs until `work` settles, moving the clock only while nothing is in flight. */
  async drive<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const watched = work.finally(() => {
      settled = true;
    });
    watched.catch(() => undefined);
    while (!settled) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (settled || this.inFlight > 0) continue;
      const next = this.clock.nextWakeAt();
      if (next !== undefined) await this.clock.advance(Math.max(0, next - this.clock.now()));
    }
    return watched;
  }
}
