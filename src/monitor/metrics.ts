import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { systemClock, type Clock } from '../lib/clock.ts';
import { BREAKER_STATES, COLLECTOR_STATES, type BreakerState, type StatusReport } from './status.ts';

/** What the runtime reports when a run ends. */
export interface RunFinished {
  /** Instance name, e.g. `top-pools:solana`. */
  collector: string;
  /** `ok`, `failed`, `skipped`, `abandoned`, `timeout`… */
  status: string;
  durationMs: number;
  rowsWritten?: number;
  rejected?: number;
}

/** What the API client reports for each HTTP call. */
export interface ApiRequestObserved {
  /** Endpoint name, never the full URL (which holds addresses and would explode cardinality). */
  endpoint: string;
  /** HTTP status code, or `error` / `timeout` when no answer came. */
  status: number | string;
}

export type BreakerName = 'db' | 'api';

const RUN_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const WAIT_BUCKETS_S = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120];
const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];
const LOCK_BUCKETS_S = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Every metric of design.md §8 in one registry of its own (so tests and several daemons in one
 * process never collide). Counters and histograms are fed by events; the gauges that describe
 * current state are set from a status report just before each scrape (`applyStatus`).
 */
export class GtcMetrics {
  readonly registry = new Registry();
  private readonly clock: Clock;

  readonly runs = new Counter({ name: 'gtc_collector_runs_total', help: 'Collector runs by instance and final status.', labelNames: ['collector', 'status'] as const, registers: [this.registry] });
  readonly runDuration = new Histogram({ name: 'gtc_collector_run_duration_seconds', help: 'Wall time of collector runs.', labelNames: ['collector'] as const, buckets: RUN_BUCKETS_S, registers: [this.registry] });
  readonly rowsWritten = new Counter({ name: 'gtc_collector_rows_written_total', help: 'Rows written by collector runs.', labelNames: ['collector'] as const, registers: [this.registry] });
  readonly rejected = new Counter({ name: 'gtc_collector_rejected_items_total', help: 'API items rejected by validation (the rest of their page was kept).', labelNames: ['collector'] as const, registers: [this.registry] });
  readonly apiRequests = new Counter({ name: 'gtc_api_requests_total', help: 'GeckoTerminal API calls by endpoint and HTTP status (or error/timeout).', labelNames: ['endpoint', 'status'] as const, registers: [this.registry] });
  readonly rateLimitWait = new Histogram({ name: 'gtc_api_rate_limit_wait_seconds', help: 'Time callers waited for the API rate limiter.', buckets: WAIT_BUCKETS_S, registers: [this.registry] });
  readonly budgetRemaining = new Gauge({ name: 'gtc_api_daily_budget_remaining_requests', help: 'API calls left today (UTC) in the daily budget shared by this budget key.', registers: [this.registry] });
  readonly apiQueue = new Gauge({ name: 'gtc_api_rate_limit_queue_length', help: 'Callers waiting for the API rate limiter.', registers: [this.registry] });
  readonly rateLimited = new Counter({ name: 'gtc_api_rate_limited_responses_total', help: 'HTTP 429 answers received from the API.', registers: [this.registry] });
  readonly dbBusyRetries = new Counter({ name: 'gtc_db_busy_retries_total', help: 'Write transactions retried after busy/locked/serialization failures.', registers: [this.registry] });
  readonly dbLockWait = new Histogram({ name: 'gtc_db_lock_wait_seconds', help: 'Time write transactions waited to acquire the write lock.', buckets: LOCK_BUCKETS_S, registers: [this.registry] });
  readonly breakerState = new Gauge({ name: 'gtc_circuit_breaker_state', help: 'Circuit breaker state (1 for the current state, 0 otherwise).', labelNames: ['breaker', 'state'] as const, registers: [this.registry] });
  readonly collectorState = new Gauge({ name: 'gtc_collector_state', help: 'Supervisor state of each collector instance (1 for the current state, 0 otherwise).', labelNames: ['collector', 'state'] as const, registers: [this.registry] });
  readonly consecutiveFailures = new Gauge({ name: 'gtc_collector_consecutive_failures', help: 'Consecutive failed runs of each collector instance.', labelNames: ['collector'] as const, registers: [this.registry] });
  readonly interval = new Gauge({ name: 'gtc_collector_interval_seconds', help: 'Interval in force for each collector instance (adaptive).', labelNames: ['collector'] as const, registers: [this.registry] });
  readonly dataAge = new Gauge({ name: 'gtc_collector_data_age_seconds', help: 'Seconds since the last successful run of each collector instance (data freshness).', labelNames: ['collector'] as const, registers: [this.registry] });
  readonly gapsOpen = new Gauge({ name: 'gtc_data_gaps_open', help: 'Recorded data gaps (periods the API no longer had) still open.', registers: [this.registry] });
  readonly dbUp = new Gauge({ name: 'gtc_db_up', help: 'Whether the last database probe succeeded (1) or not (0).', registers: [this.registry] });
  readonly dbLatency = new Gauge({ name: 'gtc_db_probe_latency_seconds', help: 'Latency of the last database probe query.', registers: [this.registry] });
  readonly walSize = new Gauge({ name: 'gtc_db_wal_size_bytes', help: 'Size of the SQLite write-ahead log.', registers: [this.registry] });

  constructor(options: { clock?: Clock; defaultMetrics?: boolean } = {}) {
    this.clock = options.clock ?? systemClock;
    if (options.defaultMetrics !== false) {
      collectDefaultMetrics({ register: this.registry });
      // prom-client names these gauges `*_total`, which `promtool check metrics` rejects as a counter suffix.
      for (const name of MISNAMED_DEFAULT_GAUGES) this.registry.removeSingleMetric(name);
    }
  }

  /** Prometheus text exposition of every metric. */
  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  runFinished(run: RunFinished): void {
    this.runs.inc({ collector: run.collector, status: run.status });
    this.runDuration.observe({ collector: run.collector }, Math.max(0, run.durationMs) / 1000);
    if (run.rowsWritten) this.rowsWritten.inc({ collector: run.collector }, run.rowsWritten);
    if (run.rejected) this.rejected.inc({ collector: run.collector }, run.rejected);
  }

  apiRequest(request: ApiRequestObserved): void {
    this.apiRequests.inc({ endpoint: request.endpoint, status: String(request.status) });
    if (request.status === 429 || request.status === '429') this.rateLimited.inc();
  }

  rateLimitWaited(ms: number): void {
    this.rateLimitWait.observe(Math.max(0, ms) / 1000);
  }

  dbRetried(): void {
    this.dbBusyRetries.inc();
  }

  dbLockWaited(ms: number): void {
    this.dbLockWait.observe(Math.max(0, ms) / 1000);
  }

  breaker(name: BreakerName, state: BreakerState): void {
    for (const s of BREAKER_STATES) this.breakerState.set({ breaker: name, state: s }, s === state ? 1 : 0);
  }

  collectorStateChanged(collector: string, state: string): void {
    const states: readonly string[] = COLLECTOR_STATES.includes(state as never) ? COLLECTOR_STATES : [...COLLECTOR_STATES, state];
    for (const s of states) this.collectorState.set({ collector, state: s }, s === state ? 1 : 0);
  }

  /** Sets every state gauge from a status report (called before each scrape). */
  applyStatus(status: StatusReport): void {
    const now = this.clock.now();
    for (const c of status.collectors) {
      this.collectorStateChanged(c.name, c.state);
      this.consecutiveFailures.set({ collector: c.name }, c.consecutiveFailures);
      this.interval.set({ collector: c.name }, c.intervalSeconds);
      if (c.lastSuccessAt) this.dataAge.set({ collector: c.name }, Math.max(0, (now - Date.parse(c.lastSuccessAt)) / 1000));
    }
    this.gapsOpen.set(status.gaps.open);
    this.dbUp.set(status.database.ok ? 1 : 0);
    if (status.database.latencyMs !== null) this.dbLatency.set(status.database.latencyMs / 1000);
    if (status.database.walSizeBytes !== null) this.walSize.set(status.database.walSizeBytes);
    if (status.database.breaker) this.breaker('db', status.database.breaker);
    if (status.api.breaker) this.breaker('api', status.api.breaker);
    if (status.api.remainingToday !== null) this.budgetRemaining.set(status.api.remainingToday);
    if (status.api.queueLength !== null) this.apiQueue.set(status.api.queueLength);
  }
}
