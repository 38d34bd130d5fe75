/**
 * Chaos profiles: how fast simulated time runs, how many pools are watched, how long, and the
 * fault timeline. Every fault of issue 7 is in each cycle; `full` repeats the cycle every
 * simulated day for 7 days with 200 watched pools (the soak).
 */
import type { Intervals } from './daemon-config.ts';
import type { FaultStep } from './faults.ts';

export interface Profile {
  name: 'quick' | 'full';
  /** Simulated seconds per real second. */
  speed: number;
  watchedPools: number;
  /** Pools in the simulated market (watched ones are picked from them). */
  marketPools: number;
  /** Simulated ms of warm-up before the first fault (left out of availability). */
  warmupMs: number;
  durationMs: number;
  faults: FaultStep[];
  /** Simulated ms a daemon killed with -9 stays down. */
  restartAfterMs: number;
  /**
   * A daemon kill -9 never picks: its one process lives through the whole pass, so memory's
   * trend is read over the soak's whole length, as an operator's daemon runs, not only over the
   * 1–3 days between kills.
   */
  sparedFromKills?: number;
  /** Simulated ms between soak samples (database size, WAL, rows). */
  sampleEveryMs: number;
  /** Size of the tmpfs holding the SQLite file. */
  diskMb: number;
  intervals: Intervals;
  /** api.timeoutMs (simulated ms) when gtc's 15 s would be too few real ms at this speed. */
  apiTimeoutMs?: number;
}

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/**
 * One cycle of every fault, starting `at` (a 5-minute boundary); 85 simulated minutes long. Each
 * fault starts 1 s before a 5-minute slot boundary, so the runs of that slot meet it — as in the
 * incident, where the lock was there when the collector ran. Outages end at different seconds of
 * a minute, not just before a minute boundary: the API budget is counted per minute, and an
 * outage ending where a used-up minute is about to renew would hide a recovery that waits for it.
 */
function faultCycle(at: number): FaultStep[] {
  const step = (slot: number, fault: Omit<FaultStep, 'at'>): FaultStep => ({ at: at + slot * 5 * MIN - S, ...fault });
  return [
    // The incident: another process holds the write lock for 30 s.
    step(0, { kind: 'incident-lock', durationMs: 30 * S }),
    // The incident as it went on: the 30 s lock back at each of the next five slots.
    step(1, { kind: 'lock-storm', durationMs: 25 * MIN, holdMs: 30 * S, everyMs: 5 * MIN, replay: true }),
    // A storm of short locks.
    step(6, { kind: 'lock-storm', durationMs: 3 * MIN, holdMs: 5 * S, everyMs: 15 * S }),
    step(7, { kind: 'api-5xx', durationMs: 2 * MIN + 17 * S }),
    // Calls into a storm go at half the rate, an even spread of the minute (30/min: at 0, 4, 8 … s):
    // this one ends 0.1 s after such a call, which is refused — its end is seen a spacing later, the worst case.
    step(8, { kind: 'api-429', durationMs: 2 * MIN + 29 * S + 100 }),
    step(9, { kind: 'api-429-retry-after', durationMs: 2 * MIN + 41 * S }),
    step(10, { kind: 'api-hang', durationMs: 2 * MIN + 23 * S }),
    step(11, { kind: 'api-malformed', durationMs: 3 * MIN, rate: 0.2 }),
    step(12, { kind: 'api-drift', durationMs: 3 * MIN, rate: 0.2 }),
    step(13, { kind: 'kill-9', durationMs: 5 * MIN }),
    step(14, { kind: 'kill-9', durationMs: 5 * MIN }),
    step(15, { kind: 'disk-full', durationMs: 1 * MIN + 13 * S }),
    step(15, { kind: 'pg-restart', durationMs: 30 * S }),
    step(16, { kind: 'sim-unreachable', durationMs: 2 * MIN + 37 * S }),
  ];
}

export function profile(name: string): Profile {
  if (name === 'quick') {
    return {
      name, speed: 90, watchedPools: 10, marketPools: 60, warmupMs: 10 * MIN, durationMs: 105 * MIN,
      faults: faultCycle(10 * MIN), restartAfterMs: 1 * MIN, sampleEveryMs: 5 * MIN, diskMb: 256,
      // The incident's 5-minute intervals (dexes hourly).
      intervals: { dexes: HOUR, 'top-pools': 5 * MIN, 'new-pools': 5 * MIN, watchlist: 5 * MIN, ohlcv: 5 * MIN, trades: 5 * MIN },
    };
  }
  if (name === 'full') {
    const days = 7;
    const faults = Array.from({ length: days }, (_, day) => faultCycle(day * DAY + 2 * HOUR)).flat();
    return {
      name, speed: 300, watchedPools: 200, marketPools: 300, warmupMs: 1 * HOUR, durationMs: days * DAY,
      faults, restartAfterMs: 2 * MIN, sparedFromKills: 0, sampleEveryMs: 1 * HOUR, diskMb: 8192,
      // gtc's default intervals: 200 pools' candles every 5 minutes would need more than 30 calls/min.
      intervals: { dexes: HOUR, 'top-pools': 5 * MIN, 'new-pools': 5 * MIN, watchlist: 5 * MIN, ohlcv: 15 * MIN, trades: 10 * MIN },
      // 15 s would be 50 real ms at ×300: on a loaded 2-CPU machine a response takes longer than that.
      apiTimeoutMs: 5 * MIN,
    };
  }
  throw new Error(`--profile must be quick or full, got "${name}"`);
}
