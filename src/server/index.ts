/** The HTTP server: API, metrics and dashboard (design.md §8). */
import type { GtcConfig } from '../config/index.ts';
import type { Logger } from '../lib/log.ts';
import type { Monitor } from '../monitor/monitor.ts';
import type { Store } from '../store/index.ts';
import { createServer } from './app.ts';
import { storeData } from './data.ts';
import { readiness } from './readiness.ts';
import { startHttpServer, type RunningHttpServer } from './start.ts';

export { createServer, type Readiness, type ReadinessCheck, type ServerDeps } from './app.ts';
export { isLoopback } from './auth.ts';
export { storeData } from './data.ts';
export { escapeHtml } from './escape.ts';
export { readiness } from './readiness.ts';
export { startHttpServer, type HttpServerOptions, type RunningHttpServer } from './start.ts';
export type { CandleView, GapView, PoolView, RunView, ServerData } from './views.ts';

export interface DaemonServerOptions {
  config: GtcConfig;
  store: Store;
  monitor: Monitor;
  /** Whether the scheduler is running, for /readyz. */
  schedulerRunning: () => boolean;
  logger?: Logger;
  /** Overrides config.server host/port (tests, `gtc demo`). */
  host?: string;
  port?: number;
}

/** The daemon's HTTP server: live status from the monitor, data from the store, config.server's address and token. */
export function startDaemonServer(options: DaemonServerOptions): Promise<RunningHttpServer> {
  const { config, store, monitor } = options;
  const token = config.server.token;
  const app = createServer({
    status: () => monitor.status(),
    readiness: () => readiness(store, options.schedulerRunning),
    data: storeData(store),
    metrics: monitor.metrics,
    timeframes: config.collectors.ohlcv.timeframes,
    ...(token ? { token } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return startHttpServer(app, { host: options.host ?? config.server.host, port: options.port ?? config.server.port, token });
}
