import type { Clock } from '../lib/clock.ts';

/**
 * The API's per-IP limit: at most `perMinute` accepted calls in any sliding 60 s of simulated
 * time; calls over it are refused (and do not count). 0 means unlimited.
 */
export class SlidingWindowLimiter {
  private accepted: number[] = [];

  constructor(
    private readonly clock: Clock,
    private perMinute: number,
  ) {}

  get limit(): number {
    return this.perMinute;
  }

  setLimit(perMinute: number): void {
    if (!(perMinute >= 0)) throw new Error(`requestsPerMinute must be >= 0, got ${perMinute}`);
    this.perMinute = perMinute;
  }

  tryAcquire(): boolean {
    if (this.perMinute === 0) return true;
    const now = this.clock.now();
    while (this.accepted.length > 0 && (this.accepted[0] as number) <= now - 60_000) this.accepted.shift();
    if (this.accepted.length >= this.perMinute) return false;
    this.accepted.push(now);
    return true;
  }
}
