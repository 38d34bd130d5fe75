/**
 * Composes a running gtc daemon from its layers — store, API client, collectors, runtime,
 * monitor, HTTP server — for `gtc start` and `gtc demo`. Nothing here decides behaviour; it only
 * wires the parts together in the order design.md §3 describes and tears them down in reverse.
 */
import { createApiClient, apiClientOptions, RateLimiter, type ApiClient } from '../api/index.ts';
import { buildCollectors, COLLECTOR_NAMES } from '../collectors/registry.ts';
import { secretsOf, type GtcConfig } from '../config/index.ts';
import { systemClock, type Clock } from '../lib/clock.ts';
import { createLogger, type Logger } from '../lib/log.ts';
import { Monitor } from '../monitor/monitor.ts';
import { DatabaseBudgetStore } from '../runtime/budget-store.ts';
import { createDaemon, type Daemon } from '../runtime/daemon.ts';
import { stopOnSignals } from '../runtime/shutdown.ts';
import { openStoreWhenReady } from '../runtime/store-startup.ts';
import { processOwnerId } from '../runtime/store-records.ts';
import { startDaemonServer, type RunningHttpServer } from '../server/index.ts';
import { openStore, storeOptionsFromConfig, type Store } from '../store/index.ts';

export interface DaemonAppOptions {
  config: GtcConfig;
  logger?: Logger;
  /** Called once everything runs, before waiting for a signal (e.g. `gtc demo` seeds its watchlist first). */
  beforeStart?: (parts: { store: Store }) => Promise<void>;
  /** Overrides config.server's port (`gtc demo` falls back to a free port). */
  port?: number;
  /** Time source (default: the system clock); the chaos harness runs daemons on an accelerated one. */
  clock?: Clock;
  /**
   * Harness-only (bench/chaos baseline): behave like the system gtc replaces where configuration
   * cannot say it — deferred SQLite transactions (read, then upgrade to a write lock) and one rate
   * limiter per collector, none shared through the database. The rest of the old behaviour (no
   * write retries, 5 failures, retry at the next slot, fixed cooldown) is ordinary configuration.
   */
  emulateReplacedSystem?: boolean;
}

export interface RunningDaemonApp {
  store: Store;
  daemon: Daemon;
  monitor: Monitor;
  server: RunningHttpServer | undefined;
  logger: Logger;
  /** Resolves when a signal has stopped everything cleanly. */
  done: Promise<NodeJS.Signals>;
}

export function daemonLogger(config: GtcConfig): Logger {
  return createLogger({ level: config.log.level, secrets: secretsOf(config) });
}

export async function startDaemonApp(options: DaemonAppOptions): Promise<RunningDaemonApp> {
  const { config } = options;
  const logger = options.logger ?? daemonLogger(config);
  const clock = options.clock ?? systemClock;
  const replaced = options.emulateReplacedSystem === true;
  const owner = processOwnerId();
  const monitor = new Monitor({ config, logger, clock });

  const store = await openStoreWhenReady(
    () => openStore({ ...storeOptionsFromConfig(config.database), clock, hooks: monitor.storeHooks, ...(replaced ? { sqliteBegin: 'deferred' as const } : {}) }),
    { clock, logger, backoff: config.recovery.retryBackoff },
  );
  const newApi = (): ApiClient => {
    const limiter = new RateLimiter({
      clock,
      requestsPerMinute: config.api.requestsPerMinute,
      burst: config.api.burst,
      dailyLimit: config.api.dailyLimit,
      ...(replaced ? {} : { budgetStore: new DatabaseBudgetStore(store, logger.child({ component: 'api-budget' })), budgetKey: config.api.budgetKey }),
      onAcquire: monitor.onLimiterAcquire,
    });
    return createApiClient({ ...apiClientOptions(config.api), clock, limiter, hooks: monitor.apiHooks });
  };
  const api = newApi();
  const instances = replaced
    ? COLLECTOR_NAMES.filter((name) => config.collectors[name].enabled).flatMap((name) => buildCollectors({ api: newApi(), store, config, clock, instanceId: owner }, { collectors: [name] }))
    : buildCollectors({ api, store, config, clock, instanceId: owner });
  if (options.beforeStart) await options.beforeStart({ store });

  const daemon = createDaemon({
    config,
    store,
    instances,
    clock,
    owner,
    logger,
    // One request, no retries, not refused by the client's open breaker: the API answers again or not.
    probes: {
      api: (signal) => api.probe(signal),
      apiHasSpareBudget: () => api.limiter.hasSpareBudget(),
      // Seen up (perhaps by another process): the client's breaker lets the resumed runs' calls through,
      // and its requests hung or waiting to retry since before then ask again now.
      onApiUp: (seenUpAt, news) => api.noteApiUp(seenUpAt, !news.shared),
      // The replaced system shared neither a budget nor news, and learnt only from finished runs.
      ...(replaced ? {} : { apiNewsKey: config.api.budgetKey, watchApi: (listener) => api.onApiNews(listener) }),
    },
  });
  monitor.attach({
    store,
    api,
    daemon: {
      status: () => daemon.status(),
      onTransition: (listener) => daemon.events.onTransition(listener),
      onRunFinished: (listener) => daemon.events.onRunFinished(listener),
      onSlotServed: (listener) => daemon.events.onSlotServed(listener),
    },
  });

  const server = config.server.enabled
    ? await startDaemonServer({ config, store, monitor, logger, schedulerRunning: () => daemon.state === 'running', ...(options.port === undefined ? {} : { port: options.port }) })
    : undefined;
  await daemon.start();
  monitor.start();
  const shutdown = stopOnSignals({
    daemon,
    store,
    logger,
    beforeClose: [() => monitor.stop(), ...(server ? [() => server.close()] : [])],
  });
  return { store, daemon, monitor, server, logger, done: shutdown.done };
}
