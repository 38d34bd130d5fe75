import type { Clock } from '../lib/clock.ts';

/**
 * Simulated time running `speed` times faster than real time from `start`, and movable forward
 * on demand (the admin endpoint's `advanceMs`). Used when no Clock is injected.
 */
export class ScaledClock implements Clock {
  private simBase: number;
  private realBase: number;
  private currentSpeed: number;

  constructor(start: number, speed: number, private readonly realNow: () => number = Date.now) {
    if (!(speed > 0)) throw new Error(`speed must be > 0, got ${speed}`);
    this.simBase = start;
    this.realBase = realNow();
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
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
      const timer = setTimeout(done, Math.max(0, ms / this.currentSpeed));
      function done(): void {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }
      function onAbort(): void {
        clearTimeout(timer);
        reject(signal?.reason ?? new Error('aborted'));
      }
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
