/**
 * The health model: `/api/status` and `gtc status --json` (design.md §8). A daemon reports what
 * it knows live (collector states from its supervisors, breakers, limiter queue); another process
 * reads collector_state, collection_runs, data_gaps and api_budget and probes the database. Both
 * produce the same StatusReport; what only a live daemon can know is null in the second.
 */
import type { GtcConfig } from '../config/index.ts';
import { systemClock, type Clock } from '../lib/clock.ts';
import type { DatabaseProbe, Store } from '../store/index.ts';
import { isoOrNull, normaliseBreakerState, type ApiStatus, type CollectorStatus, type DatabaseStatus, type StatusReport } from './status.ts';

/** The latest run of every instance (one query), for lastRunAt / lastRunStatus. */
async function latestRuns(store: Store): Promise<Map<string, { startedAt: number; status: string }>> {
  const rows = await store.db
    .selectFrom('collection_runs as r')
    .innerJoin(
      (eb) => eb.selectFrom('collection_runs').select(['collector', (e) => e.fn.max('id').as('id')]).groupBy('collector').as('latest'),
      (join) => join.onRef('latest.id', '=', 'r.id'),
    )
    .select(['r.collector', 'r.started_at', 'r.status'])
    .execute();
  return new Map(rows.map((r) => [r.collector, { startedAt: Number(r.started_at) * 1000, status: r.status }]));
}

/** Collector instances as the database last recorded them. */
export async function collectorsFromDatabase(store: Store): Promise<CollectorStatus[]> {
  const [states, runs] = await Promise.all([store.read.collectorState.list(), latestRuns(store)]);
  return states.map((s) => {
    const run = runs.get(s.collector);
    const disabled = s.disabled;
    return {
      name: s.collector,
      collector: s.collector.split(':')[0] as string,
      state: disabled ? 'disabled' : s.state,
      consecutiveFailures: s.consecutiveFailures,
      lastRunAt: isoOrNull(s.lastRunAt === null ? (run?.startedAt ?? null) : s.lastRunAt * 1000),
      lastRunStatus: run?.status ?? null,
      lastSuccessAt: isoOrNull(s.lastSuccessAt === null ? null : s.lastSuccessAt * 1000),
      nextRunAt: disabled ? null : isoOrNull(s.nextRunAt === null ? null : s.nextRunAt * 1000),
      intervalSeconds: s.intervalS,
      configuredIntervalSeconds: s.configuredIntervalS > 0 ? s.configuredIntervalS : null,
      lastError: s.lastError,
      running: null,
    };
  });
}

export async function openGapCount(store: Store): Promise<number> {
  const row = await store.db.selectFrom('data_gaps').select((eb) => eb.fn.countAll().as('n')).where('resolved_at', 'is', null).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The database section from a probe; breaker and retries come from the live write path when there is one. */
export function databaseStatus(probe: DatabaseProbe, live?: { breaker: unknown; busyRetries: number }): DatabaseStatus {
  return {
    dialect: probe.dialect,
    ok: probe.ok,
    latencyMs: probe.ok && probe.latencyMs >= 0 ? probe.latencyMs : null,
    writeLockWaitMs: probe.ok && probe.writeLockWaitMs >= 0 ? probe.writeLockWaitMs : null,
    walSizeBytes: probe.walSizeBytes ?? null,
    breaker: live ? normaliseBreakerState(live.breaker) : null,
    busyRetries: live ? live.busyRetries : null,
    error: probe.error ?? null,
  };
}

const DAY_MS = 86_400_000;

/**
 * Calls left today from the shared budget in api_budget (the limiter's `<budgetKey>:day` window),
 * or null when no process has counted calls there (a daemon with an in-memory budget).
 */
export async function remainingTodayFromDatabase(store: Store, api: GtcConfig['api'], now: number): Promise<number | null> {
  const used = await store.read.apiBudget.peek(`${api.budgetKey}:day`);
  if (!used) return null;
  const today = now - (now % DAY_MS);
  // The window start may be stored in milliseconds or seconds; either way it must be today's.
  const current = used.windowStart === today || used.windowStart === today / 1000;
  return current ? Math.max(0, api.dailyLimit - used.calls) : api.dailyLimit;
}

export interface DatabaseStatusOptions {
  config: GtcConfig;
  store: Store;
  clock?: Clock;
}

/** The status report of another process's daemon, from the database alone (`gtc status`). */
export async function statusFromDatabase(options: DatabaseStatusOptions): Promise<StatusReport> {
  const clock = options.clock ?? systemClock;
  const now = clock.now();
  // Reads go on even when the probe fails: a write lock held elsewhere fails the probe, not reads.
  const [probe, collectors, open, remainingToday] = await Promise.all([
    options.store.probe(),
    collectorsFromDatabase(options.store).catch(() => []),
    openGapCount(options.store).catch(() => 0),
    remainingTodayFromDatabase(options.store, options.config.api, now).catch(() => null),
  ]);
  const api: ApiStatus = {
    requestsPerMinute: null,
    limitPerMinute: options.config.api.requestsPerMinute,
    remainingToday,
    dailyLimit: options.config.api.dailyLimit,
    queueLength: null,
    rateLimited429: null,
    breaker: null,
  };
  return { collectors, database: databaseStatus(probe), api, gaps: { open }, generatedAt: new Date(now).toISOString(), source: 'database' };
}
