/**
 * The accelerated time every part of a chaos run shares: simulated = simStart + (real − realStart)
 * × speed. The simulator runs on `clock`; the daemons get the same three numbers (GTC_CLOCK_*),
 * so all agree without talking; log times (real) convert with `toSim`.
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

  /** Resolves when simulated time reaches `simMs` (checked on real timers, a few ms late at most). */
  async until(simMs: number): Promise<void> {
    for (;;) {
      const left = simMs - this.now();
      if (left <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(1, left / this.speed))));
    }
  }
}
