/**
 * Everything a daemon process observes about itself, in one place: it turns the hooks of the
 * store, the API client and the runtime into metrics, alert inputs and the live status report.
 *
 *   const monitor = new Monitor({ config, logger });
 *   const store = await openStore({ ...options, hooks: monitor.storeHooks });
 *   const api = createApiClient({ ...options, hooks: monitor.apiHooks });
 *   monitor.attach({ store, api, daemon });   // subscribes to the runtime's events
 *   monitor.start();                          // alert rules on their timer
 */
import type { ApiHooks, RateLimiterState } from '../api/index.ts';
import type { GtcConfig } from '../config/index.ts';
import { systemClock, type Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { DatabaseProbe, Store, WriteHooks } from '../store/index.ts';
import { parseDatabaseUrl } from '../store/url.ts';
import { AlertEngine, type AlertSink } from './alerts/engine.ts';
import { sinksFromConfig } from './alerts/sinks.ts';
import { databaseStatus, openGapCount } from './health.ts';
import { GtcMetrics } from './metrics.ts';
import { normaliseBreakerState, type CollectorStatus, type StatusReport } from './status.ts';

/** What the monitor needs of the runtime's daemon (structural, so monitor stays below runtime). */
export interface ObservedDaemon {
  /** The collectors array of design.md §8, live. */
  status(): readonly CollectorStatus[] | Promise<readonly CollectorStatus[]>;
  onTransition(listener: (event: { instance: string; to: string }) => void): () => void;
  onRunFinished(listener: (event: { instance: string; status: string; durationMs: number; rowsWritten: number; rejected: number }) => void): () => void;
  /** Slots another process sharing the database completed (at: when), as this process learnt of them. */
  onSlotServed(listener: (event: { instance: string; at: number }) => void): () => void;
}

/** What the monitor needs of the API client. */
export interface ObservedApi {
  readonly limiter: { state(): RateLimiterState };
  readonly breakerState: string;
}

export interface MonitorOptions {
  config: GtcConfig;
  clock?: Clock;
  logger?: Logger;
  /** Alert sinks; default: the log plus the configured webhooks. */
  sinks?: AlertSink[];
  alertIntervalMs?: number;
  /** How long a database probe result is reused (the dashboard polls every second); default 5 s. */
  probeTtlMs?: number;
}

export class Monitor {
  readonly metrics: GtcMetrics;
  readonly alerts: AlertEngine;
  /** Pass to openStore({ hooks }). */
  readonly storeHooks: WriteHooks;
  /** Pass to createApiClient({ hooks }). */
  readonly apiHooks: ApiHooks;
  /** Pass to the rate limiter's onAcquire option. */
  readonly onLimiterAcquire: (event: { waitedMs: number; queueLength: number }) => void;

  private readonly clock: Clock;
  private readonly config: GtcConfig;
  private readonly probeTtlMs: number;
  private store: Store | undefined;
  private api: ObservedApi | undefined;
  private daemon: ObservedDaemon | undefined;
  private readonly unsubscribe: (() => void)[] = [];
  private started = false;
  private busyRetries = 0;
  private rateLimited = 0;
  private requestTimes: number[] = [];
  private probe: { at: number; result: Promise<DatabaseProbe> } | undefined;

  constructor(options: MonitorOptions) {
    this.clock = options.clock ?? systemClock;
    this.config = options.config;
    this.probeTtlMs = options.probeTtlMs ?? 5_000;
    this.metrics = new GtcMetrics({ clock: this.clock });
    const sinks = options.sinks ?? (options.logger ? sinksFromConfig(options.config, options.logger, this.clock) : []);
    this.alerts = new AlertEngine({ status: () => this.status(), sinks, clock: this.clock, ...(options.alertIntervalMs ? { intervalMs: options.alertIntervalMs } : {}), ...(options.logger ? { logger: options.logger } : {}) });

    this.storeHooks = {
      onRetry: () => {
        this.busyRetries++;
        this.metrics.dbRetried();
      },
      onLockWait: (ms) => {
        this.metrics.dbLockWaited(ms);
        this.alerts.lockWaited(ms);
      },
      onBreakerStateChange: (state) => this.metrics.breaker('db', state),
    };
    this.apiHooks = {
      onRequest: (event) => {
        this.requestTimes.push(this.clock.now());
        this.metrics.apiRequest({ endpoint: event.endpoint, status: event.status });
        if (event.status === 429) this.rateLimited++;
      },
      onBreakerStateChange: (event) => {
        const state = normaliseBreakerState(event.to);
        if (state) this.metrics.breaker('api', state);
      },
    };
    this.onLimiterAcquire = (event) => {
      this.metrics.rateLimitWaited(event.waitedMs);
      this.metrics.apiQueue.set(event.queueLength);
    };
  }

  /** Connects the parts that exist in this process; each is optional (`gtc collect` has no daemon). */
  attach(parts: { store?: Store; api?: ObservedApi; daemon?: ObservedDaemon }): void {
    if (parts.store) this.store = parts.store;
    if (parts.api) this.api = parts.api;
    if (parts.daemon) {
      this.daemon = parts.daemon;
      this.unsubscribe.push(
        parts.daemon.onTransition((event) => {
          this.metrics.collectorStateChanged(event.instance, event.to);
          // A suspension or recovery is alerted at once, not at the next timer tick.
          if (this.started) void this.alerts.evaluate().catch(() => undefined);
        }),
        parts.daemon.onRunFinished((event) => {
          this.metrics.runFinished({ collector: event.instance, status: event.status, durationMs: event.durationMs, rowsWritten: event.rowsWritten, rejected: event.rejected });
          this.alerts.runFinished({ collector: event.instance, status: event.status });
        }),
        parts.daemon.onSlotServed((event) => this.alerts.slotServedElsewhere({ collector: event.instance, at: event.at })),
      );
    }
  }

  /** The live status report (design.md §8). */
  async status(): Promise<StatusReport> {
    const now = this.clock.now();
    const store = this.store;
    const [collectors, probe, open] = await Promise.all([
      this.daemon ? this.daemon.status() : [],
      store ? this.cachedProbe(store, now) : undefined,
      store ? openGapCount(store).catch(() => 0) : 0,
    ]);
    this.requestTimes = this.requestTimes.filter((t) => t > now - 60_000);
    const limiter = this.api?.limiter.state();
    const database = probe
      ? databaseStatus(probe, { breaker: store?.breakerState, busyRetries: this.busyRetries })
      : { dialect: parseDatabaseUrl(this.config.database.url).dialect, ok: false, latencyMs: null, writeLockWaitMs: null, walSizeBytes: null, breaker: null, busyRetries: this.busyRetries, error: 'no database attached' };
    return {
      collectors: [...collectors],
      database,
      api: {
        requestsPerMinute: this.api ? this.requestTimes.length : null,
        limitPerMinute: limiter?.configuredRequestsPerMinute ?? this.config.api.requestsPerMinute,
        remainingToday: limiter ? limiter.remainingDaily : null,
        dailyLimit: limiter?.dailyLimit ?? this.config.api.dailyLimit,
        queueLength: limiter ? limiter.queueLength : null,
        rateLimited429: this.api ? this.rateLimited : null,
        breaker: this.api ? normaliseBreakerState(this.api.breakerState) : null,
      },
      gaps: { open },
      generatedAt: new Date(now).toISOString(),
      source: 'daemon',
    };
  }

  /** Starts evaluating alert rules on their timer. */
  start(): void {
    this.started = true;
    this.alerts.start();
  }

  /** Stops the alert timer (delivering queued alerts) and unsubscribes from the daemon. */
  async stop(): Promise<void> {
    this.started = false;
    for (const off of this.unsubscribe.splice(0)) off();
    await this.alerts.stop();
  }

  private cachedProbe(store: Store, now: number): Promise<DatabaseProbe> {
    if (!this.probe || now - this.probe.at >= this.probeTtlMs) this.probe = { at: now, result: store.probe() };
    return this.probe.result;
  }
}
