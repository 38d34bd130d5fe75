/**
 * When an instance runs next on schedule: the slot after the last one at its adaptive interval
 * (stretched while runs meet contention, back toward the configured one as they succeed), plus a
 * random jitter so processes and instances do not all start at the slot boundary.
 */
import type { CollectorInstance } from '../collectors/types.ts';
import type { Clock } from '../lib/clock.ts';
import { initialAdaptiveState, recordOutcome, type AdaptiveParams, type AdaptiveState, type RunOutcome } from './adaptive-interval.ts';
import { jitterFor, nextScheduledTime } from './schedule.ts';

export interface ScheduledRun {
  kind: 'run';
  at: number;
  reason: 'schedule';
  /** The slot time the run is for (without the jitter). */
  scheduledFor: number;
}

export interface RunScheduleOptions {
  instance: Pick<CollectorInstance, 'intervalMs'>;
  clock: Clock;
  maxIntervalFactor: number;
  /** Upper bound of the random delay added to scheduled runs (also at most 10% of the interval). */
  jitterMaxMs: number;
  random?: () => number;
  /** The adaptive interval changed (from → to). */
  onIntervalChanged: (fromMs: number, toMs: number) => void;
}

export class RunSchedule {
  private readonly params: AdaptiveParams;
  private adaptive: AdaptiveState;

  constructor(private readonly o: RunScheduleOptions) {
    this.params = { configuredMs: o.instance.intervalMs, maxFactor: o.maxIntervalFactor };
    this.adaptive = initialAdaptiveState(this.params);
  }

  get intervalMs(): number {
    return this.adaptive.intervalMs;
  }

  /** Picks up an interval saved by a process with the same configured interval. */
  restore(saved: { intervalMs: number; configuredIntervalMs: number }): void {
    if (saved.configuredIntervalMs === this.o.instance.intervalMs) this.adaptive = initialAdaptiveState(this.params, saved.intervalMs);
  }

  /** The next run on schedule after `lastSlot`: now when that time has passed, else at it plus jitter. */
  after(lastSlot: number): ScheduledRun {
    const now = this.o.clock.now();
    const scheduled = this.nextAfter(lastSlot);
    return scheduled <= now ? { kind: 'run', at: now, reason: 'schedule', scheduledFor: now } : this.at(scheduled);
  }

  /** A run scheduled for `scheduledFor`, with its jitter. */
  at(scheduledFor: number): ScheduledRun {
    return { kind: 'run', at: scheduledFor + this.jitter(), reason: 'schedule', scheduledFor };
  }

  /** When the slot after `lastSlot` is due at the current interval (no jitter). */
  nextAfter(lastSlot: number): number {
    return nextScheduledTime(lastSlot, this.adaptive.intervalMs);
  }

  /** One more run's outcome for the adaptive interval. */
  record(outcome: RunOutcome): void {
    const before = this.adaptive.intervalMs;
    this.adaptive = recordOutcome(this.adaptive, outcome, this.params);
    if (this.adaptive.intervalMs !== before) this.o.onIntervalChanged(before, this.adaptive.intervalMs);
  }

  private jitter(): number {
    return jitterFor(this.o.instance.intervalMs, this.o.jitterMaxMs, this.o.random);
  }
}
