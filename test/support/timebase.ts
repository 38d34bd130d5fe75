/**
 * The accelerated time an end-to-end test or a chaos run shares with its daemons and simulator:
 * simulated = simStart + (real − realStart) × speed. The simulator runs on `clock`; each
 * `gtc start` child gets the same three numbers through GTC_CLOCK_* (`env()`), so all agree
 * without talking; real times (log lines, measurements in this process) convert with `toSim`.
 */
import { ScaledClock } from '../../src/lib/clock.ts';

export class Timebase {
  readonly clock: ScaledClock;

  constructor(readonly simStart: number, readonly speed: number, readonly realStart: number = Date.now()) {
    this.clock = new ScaledClock(simStart, speed, Date.now, realStart);
  }

  now(): number {
    return this.clock.now();
  }

  toSim(realMs: number): number {
    return Math.floor(this.simStart + (realMs - this.realStart) * this.speed);
  }

  /** Simulated milliseconds as real milliseconds (a span, not a time). */
  realSpan(simMs: number): number {
    return simMs / this.speed;
  }

  /** The environment that puts a `gtc start` child on this time. */
  env(): Record<string, string> {
    return { GTC_CLOCK_SPEED: String(this.speed), GTC_CLOCK_START_MS: String(this.simStart), GTC_CLOCK_ANCHOR_MS: String(this.realStart) };
  }

  /** Resolves when simulated time reaches `simMs` (on real timers, a few ms late at most). */
  async until(simMs: number): Promise<void> {
    for (;;) {
      const left = simMs - this.now();
      if (left <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(100, Math.max(1, left / this.speed))));
    }
  }
}
