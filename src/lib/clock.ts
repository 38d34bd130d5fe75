/**
 * Time source for every time-dependent mechanism (limiter, retries, breaker, scheduler), so tests
 * can run hours of simulated time in milliseconds. Times are epoch milliseconds, always UTC.
 */
import { linkSignals } from './signals.ts';

export interface Clock {
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Sleeps `ms` on `clock`, or less when `wake` aborts (no error: something worth acting on happened);
 * rejects only when `stop` aborts.
 */
export async function sleepOrWake(clock: Clock, ms: number, wake: AbortSignal, stop?: AbortSignal): Promise<void> {
  if (wake.aborted) return;
  const linked = linkSignals(stop, wake);
  try {
    await clock.sleep(ms, linked.signal);
  } catch (error) {
    if (stop?.aborted || !wake.aborted) throw error;
  } finally {
    linked.release();
  }
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }
      function onAbort(): void {
        clearTimeout(timer);
        reject(abortError(signal as AbortSignal));
      }
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

/**
 * Simulated time running `speed` times faster than real time: `start + (real now - realStart) ×
 * speed`. Processes given the same start, realStart and speed agree on the time without talking
 * (the chaos harness runs daemons this way against the simulator); movable forward on demand
 * (the simulator's admin endpoint).
 */
export class ScaledClock implements Clock {
  private simBase: number;
  private realBase: number;
  private currentSpeed: number;

  constructor(start: number, speed: number, private readonly realNow: () => number = Date.now, realStart: number = realNow()) {
    if (!(speed > 0)) throw new Error(`speed must be > 0, got ${speed}`);
    this.simBase = start;
    this.realBase = realStart;
    this.currentSpeed = speed;
  }

  now(): number {
    return Math.floor(this.simBase + (this.realNow() - this.realBase) * this.currentSpeed);
  }

  get speed(): number {
    return this.currentSpeed;
  }

  /** Changes the speed from now on; simulated time does not jump. */
  setSpeed(speed: number): void {
    if (!(speed > 0)) throw new Error(`speed must be > 0, got ${speed}`);
    this.simBase = this.now();
    this.realBase = this.realNow();
    this.currentSpeed = speed;
  }

  /** Jumps simulated time forward. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`advanceMs must be >= 0, got ${ms}`);
    this.simBase += ms;
  }

  /** Sleeps `ms` of simulated time (real time divided by the speed). */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(Math.max(0, ms) / this.currentSpeed, signal);
  }
}

interface Sleeper {
  at: number;
  seq: number;
  resolve: () => void;
}

/**
 * A clock that moves only when told to. `advance` wakes sleepers in time order and lets each
 * woken task run (microtasks) before moving on, so chains of sleeps behave as in real time.
 */
export class ManualClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];
  private seq = 0;

  constructor(start = Date.UTC(2025, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const sleeper: Sleeper = { at: this.current + Math.max(0, ms), seq: this.seq++, resolve };
      sleeper.resolve = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(abortError(signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
    });
  }

  /** Number of tasks currently sleeping on this clock. */
  get pending(): number {
    return this.sleepers.length;
  }

  /** When the earliest sleeper wakes (epoch ms), or undefined when nothing sleeps. */
  nextWakeAt(): number | undefined {
    return this.nextSleeper(Infinity)?.at;
  }

  /** Moves time forward by `ms`, waking every sleeper whose time has come, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await flushMicrotasks();
      const next = this.nextSleeper(target);
      if (!next) break;
      this.sleepers = this.sleepers.filter((s) => s !== next);
      this.current = Math.max(this.current, next.at);
      next.resolve();
    }
    this.current = target;
    await flushMicrotasks();
  }

  /** Advances to the next sleeper's wake-up time (if any) and wakes it. */
  async tick(): Promise<boolean> {
    await flushMicrotasks();
    const next = this.nextSleeper(Infinity);
    if (!next) return false;
    await this.advance(next.at - this.current);
    return true;
  }

  private nextSleeper(limit: number): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.sleepers) {
      if (s.at > limit) continue;
      if (!best || s.at < best.at || (s.at === best.at && s.seq < best.seq)) best = s;
    }
    return best;
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
