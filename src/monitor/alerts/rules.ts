import type { StatusReport } from '../status.ts';
import { availability, errorRate, type RunWindow } from './windows.ts';

export type Severity = 'warning' | 'critical';

/** What the rules look at, taken once per evaluation. */
export interface AlertSnapshot {
  now: number;
  status: StatusReport;
  runs: RunWindow;
  /** p99 of write-lock waits over the last few minutes, or null without samples. */
  lockWaitP99Ms: number | null;
  /** When monitoring began (the daemon's start), so young windows are judged on the time they cover. */
  since: number;
  /** When a collector was first seen, for staleness of one that never succeeded. */
  firstSeen(collector: string): number;
}

/** One condition that currently holds for one subject (a collector, a breaker, the database). */
export interface Finding {
  subject: string;
  summary: string;
  value?: number;
}

export interface AlertRule {
  name: string;
  severity: Severity;
  /** When it fires and resolves, in a sentence (for the README's alert reference). */
  description: string;
  /** Every subject for which the rule's condition holds now. */
  evaluate(snapshot: AlertSnapshot): Finding[];
  /**
   * For a subject already alerted whose condition no longer holds: whether the episode goes on
   * anyway (so a flapping condition is one alert, not one per flap). Default: it does not.
   */
  sustains?(snapshot: AlertSnapshot, subject: string): boolean;
}

export interface RuleThresholds {
  staleIntervals: number;
  lockWaitP99Ms: number;
  errorRate: number;
  errorRateWindowMs: number;
  errorRateMinRuns: number;
  availability: number;
  availabilityWindowMs: number;
}

export const DEFAULT_THRESHOLDS: RuleThresholds = {
  staleIntervals: 3,
  lockWaitP99Ms: 1_000,
  errorRate: 0.1,
  errorRateWindowMs: 15 * 60_000,
  errorRateMinRuns: 3,
  availability: 0.99,
  availabilityWindowMs: 3_600_000,
};

const percent = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** The rules of the observability issue: suspended, breaker open, stale, lock wait, error rate, availability. */
export function defaultRules(thresholds: Partial<RuleThresholds> = {}): AlertRule[] {
  const t = { ...DEFAULT_THRESHOLDS, ...thresholds };
  const active = (s: AlertSnapshot) => s.status.collectors.filter((c) => c.state !== 'disabled');
  return [
    {
      name: 'collector-suspended',
      severity: 'critical',
      description: 'A collector instance is suspended (failureThreshold failures in a row). Resolves at its first successful run, so a probe that resumes it only to fail again does not raise a second alert.',
      evaluate: (s) =>
        s.status.collectors
          .filter((c) => c.state === 'suspended')
          .map((c) => ({ subject: c.name, summary: `Collector ${c.name} is suspended after ${c.consecutiveFailures} consecutive failures${c.lastError ? `: ${c.lastError}` : ''}.` })),
      // A passing probe resumes a suspended collector before it has succeeded; the episode ends
      // with its first successful run (failures reset), so suspend → probe → fail → suspend is one alert.
      sustains: (s, subject) => s.status.collectors.some((c) => c.name === subject && c.state !== 'disabled' && c.consecutiveFailures > 0),
    },
    {
      name: 'breaker-open',
      severity: 'critical',
      description: 'The database or API circuit breaker is open (subject `db` or `api`). Resolves when it half-opens or closes.',
      evaluate: (s) => {
        const out: Finding[] = [];
        if (s.status.database.breaker === 'open') out.push({ subject: 'db', summary: 'The database circuit breaker is open: writes are failing and being held back.' });
        if (s.status.api.breaker === 'open') out.push({ subject: 'api', summary: 'The API circuit breaker is open: GeckoTerminal calls are failing and being held back.' });
        return out;
      },
    },
    {
      name: 'data-stale',
      severity: 'warning',
      description: `A collector's last success is older than ${t.staleIntervals} of its intervals (or it never succeeded for that long). With several processes on one database, a slot another process completed counts as a success from its end: the processes that lose the claims do not raise it. Disabled collectors are exempt.`,
      evaluate: (s) =>
        active(s).flatMap((c) => {
          const last = c.lastSuccessAt ? Date.parse(c.lastSuccessAt) : s.firstSeen(c.name);
          const ageS = (s.now - last) / 1000;
          const limitS = t.staleIntervals * Math.max(c.intervalSeconds, c.configuredIntervalSeconds ?? 0);
          if (limitS <= 0 || ageS <= limitS) return [];
          const what = c.lastSuccessAt ? `last succeeded ${Math.round(ageS)} s ago` : `has not succeeded in ${Math.round(ageS)} s`;
          return [{ subject: c.name, value: ageS, summary: `Data of ${c.name} is stale: it ${what}, more than ${t.staleIntervals} intervals of ${c.intervalSeconds} s.` }];
        }),
    },
    {
      name: 'db-lock-wait-high',
      severity: 'warning',
      description: `The p99 of write-lock waits over the last 5 minutes is above ${t.lockWaitP99Ms} ms: another process holds long write transactions.`,
      evaluate: (s) =>
        s.lockWaitP99Ms !== null && s.lockWaitP99Ms > t.lockWaitP99Ms
          ? [{ subject: 'db', value: s.lockWaitP99Ms, summary: `Write-lock wait p99 is ${Math.round(s.lockWaitP99Ms)} ms (limit ${t.lockWaitP99Ms} ms): another process holds the database's write lock for long.` }]
          : [],
    },
    {
      name: 'error-rate-high',
      severity: 'warning',
      description: `More than ${t.errorRate * 100}% of a collector's runs failed over the last ${t.errorRateWindowMs / 60_000} minutes (at least ${t.errorRateMinRuns} runs).`,
      evaluate: (s) =>
        active(s).flatMap((c) => {
          const rate = errorRate(s.runs.recent(s.now, t.errorRateWindowMs, c.name), t.errorRateMinRuns);
          if (rate === null || rate <= t.errorRate) return [];
          return [{ subject: c.name, value: rate, summary: `${percent(rate)} of ${c.name}'s runs failed over the last ${t.errorRateWindowMs / 60_000} minutes (limit ${percent(t.errorRate)}).` }];
        }),
    },
    {
      name: 'availability-low',
      severity: 'warning',
      description: `A collector's data was current less than ${t.availability * 100}% of the last ${t.availabilityWindowMs / 60_000} minutes (an outage runs from a failed run to the next success, this process's or another's completed slot).`,
      evaluate: (s) =>
        active(s).flatMap((c) => {
          const start = Math.max(s.now - t.availabilityWindowMs, s.since);
          const value = availability(s.runs.recent(s.now, t.availabilityWindowMs, c.name), start, s.now, s.runs.failingBefore(c.name, s.now));
          if (value >= t.availability) return [];
          return [{ subject: c.name, value, summary: `${c.name} was available ${percent(value)} of the last ${Math.round((s.now - start) / 60_000)} minutes (goal ${percent(t.availability)}).` }];
        }),
    },
  ];
}
