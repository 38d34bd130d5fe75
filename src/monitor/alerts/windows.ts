/**
 * Sliding windows over recent events, for the rules that look at rates (error rate over 15 minutes,
 * availability over an hour, lock wait p99 over 5 minutes). Fed by the same events as the metrics;
 * bounded in size so a storm of events cannot grow memory.
 */

export interface RunOutcome {
  collector: string;
  /** `ok`, `failed`, `skipped`, `abandoned`… */
  status: string;
  /** When the run ended, epoch ms. */
  at: number;
}

const FAILED = new Set(['failed', 'abandoned', 'timeout']);

/** The status of a slot another process completed: ends an outage, but is no run of this process's (not in error rates). */
export const SERVED_ELSEWHERE = 'served-elsewhere';

/** Whether an outcome means the collector's data was current at its time. */
function servesData(status: string): boolean {
  return status === 'ok' || status === SERVED_ELSEWHERE;
}

/** Whether a run status counts as a failure (skipped runs count as neither). */
export function isFailure(status: string): boolean {
  return FAILED.has(status);
}

export class RunWindow {
  private outcomes: RunOutcome[] = [];
  /** The newest outcome of each collector that has left the window, so an outage that began before it is still seen. */
  private readonly before = new Map<string, RunOutcome>();

  constructor(
    private readonly spanMs = 3_600_000,
    private readonly maxEntries = 50_000,
  ) {}

  /** Kept in time order: news of another process's run may arrive after this process's later runs. */
  add(outcome: RunOutcome): void {
    let i = this.outcomes.length;
    while (i > 0 && (this.outcomes[i - 1] as RunOutcome).at > outcome.at) i--;
    this.outcomes.splice(i, 0, outcome);
    if (this.outcomes.length > this.maxEntries) this.outcomes.splice(0, this.outcomes.length - this.maxEntries);
  }

  /** Outcomes of `collector` (or all) that ended within the last `spanMs` before `now`, oldest first. */
  recent(now: number, spanMs = this.spanMs, collector?: string): RunOutcome[] {
    this.prune(now);
    return this.outcomes.filter((o) => o.at > now - spanMs && (collector === undefined || o.collector === collector));
  }

  /** Every collector seen in the window. */
  collectors(now: number): string[] {
    this.prune(now);
    return [...new Set(this.outcomes.map((o) => o.collector))];
  }

  /** Whether the collector's last run before the window (at `now`) had failed. */
  failingBefore(collector: string, now: number): boolean {
    this.prune(now);
    const last = this.before.get(collector);
    return last !== undefined && isFailure(last.status);
  }

  private prune(now: number): void {
    const cutoff = now - this.spanMs;
    let drop = 0;
    while (drop < this.outcomes.length && (this.outcomes[drop] as RunOutcome).at <= cutoff) {
      const old = this.outcomes[drop] as RunOutcome;
      if (servesData(old.status) || isFailure(old.status)) this.before.set(old.collector, old);
      drop++;
    }
    if (drop) this.outcomes.splice(0, drop);
  }
}

/** Failed share of ok+failed runs, or null with fewer than `minRuns` such runs. */
export function errorRate(outcomes: readonly RunOutcome[], minRuns = 3): number | null {
  const counted = outcomes.filter((o) => o.status === 'ok' || isFailure(o.status));
  if (counted.length < minRuns) return null;
  return counted.filter((o) => isFailure(o.status)).length / counted.length;
}

/**
 * Share of the window during which the collector's data was current: an outage runs from a failed
 * run to the next successful one (or to `now`). The window starts at `windowStart` (an hour ago, or
 * later when monitoring began later), so a young daemon is judged on the time it has run.
 */
export function availability(outcomes: readonly RunOutcome[], windowStart: number, now: number, failingAtStart = false): number {
  const span = now - windowStart;
  if (span <= 0) return 1;
  let down = 0;
  let outageSince: number | null = failingAtStart ? windowStart : null;
  for (const o of outcomes) {
    if (o.at < windowStart) continue;
    if (isFailure(o.status)) outageSince ??= o.at;
    else if (servesData(o.status) && outageSince !== null) {
      down += o.at - outageSince;
      outageSince = null;
    }
  }
  if (outageSince !== null) down += now - outageSince;
  return Math.max(0, 1 - down / span);
}

/** Recent samples of a duration (e.g. write-lock waits) for a percentile over a short window. */
export class SampleWindow {
  private samples: { at: number; value: number }[] = [];

  constructor(
    private readonly spanMs = 300_000,
    private readonly maxEntries = 20_000,
  ) {}

  add(value: number, at: number): void {
    this.samples.push({ at, value });
    if (this.samples.length > this.maxEntries) this.samples.splice(0, this.samples.length - this.maxEntries);
  }

  /** The p-th percentile (0..1, nearest rank) of samples in the window, or null when there are none. */
  percentile(p: number, now: number): number | null {
    const cutoff = now - this.spanMs;
    this.samples = this.samples.filter((s) => s.at > cutoff);
    if (this.samples.length === 0) return null;
    const sorted = this.samples.map((s) => s.value).sort((a, b) => a - b);
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
    return sorted[rank] as number;
  }
}
