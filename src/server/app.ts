import { Hono, type Context } from 'hono';
import { TIMEFRAMES } from '../config/index.ts';
import { systemClock, type Clock } from '../lib/clock.ts';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import type { GtcMetrics } from '../monitor/metrics.ts';
import type { StatusReport } from '../monitor/status.ts';
import { mountAssets } from './assets.ts';
import { requireToken } from './auth.ts';
import { dashboardPage } from './dashboard/page.ts';
import { escapeHtml } from './escape.ts';
import { errorBody, HttpError } from './http-error.ts';
import { dashboardQuery, gapsQuery, ohlcvQuery, parseQuery, poolsQuery, runsQuery } from './query.ts';
import type { ServerData } from './views.ts';

export interface ReadinessCheck {
  ok: boolean;
  detail: string;
}

/** `/readyz`: database reachable, migrations current, scheduler running. */
export interface Readiness {
  ready: boolean;
  checks: Record<string, ReadinessCheck>;
}

export interface ServerDeps {
  status(): Promise<StatusReport>;
  readiness(): Promise<Readiness>;
  data: ServerData;
  metrics: GtcMetrics;
  /** The configured OHLCV timeframes, offered first in the chart's choice. */
  timeframes?: readonly string[];
  /** When set, every route but /healthz requires it as a bearer token. */
  token?: string;
  /** How often the dashboard polls /api/status; default 1 s. */
  refreshMs?: number;
  clock?: Clock;
  logger?: Logger;
}

const CSP = ["default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"].join('; ');

/** The HTTP API and dashboard of design.md §8 as a hono app (no socket: see startHttpServer). */
export function createServer(deps: ServerDeps): Hono {
  const app = new Hono();
  const clock = deps.clock ?? systemClock;
  const timeframes = [...new Set([...(deps.timeframes ?? []), ...TIMEFRAMES])];

  app.use('*', async (c, next) => {
    await next();
    c.header('Content-Security-Policy', CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
  });
  if (deps.token) app.use('*', requireToken(deps.token));

  app.onError((error, c) => {
    if (error instanceof HttpError) return c.json(errorBody(error.status, error.code, error.message), error.status);
    deps.logger?.error({ err: error, path: c.req.path }, `HTTP ${c.req.method} ${c.req.path} failed: ${errorMessage(error)}`);
    return c.json(errorBody(500, 'internal', `The server could not answer ${c.req.path}: ${errorMessage(error)}`), 500);
  });
  app.notFound((c) => c.json(errorBody(404, 'not_found', `There is no route ${c.req.method} ${c.req.path}; see /api/status, /api/collectors, /api/runs, /api/pools, /api/gaps, /metrics.`), 404));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const readiness = await deps.readiness();
    return c.json(readiness, readiness.ready ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    deps.metrics.applyStatus(await deps.status());
    return c.body(await deps.metrics.render(), 200, { 'content-type': deps.metrics.contentType });
  });

  app.get('/api/status', async (c) => c.json(await deps.status()));
  app.get('/api/collectors', async (c) => c.json({ collectors: (await deps.status()).collectors }));
  app.get('/api/runs', async (c) => {
    const q = parseQuery(runsQuery, c.req.query());
    return c.json({ runs: await deps.data.runs({ limit: q.limit, ...(q.collector ? { collector: q.collector } : {}) }) });
  });
  app.get('/api/pools', async (c) => {
    const q = parseQuery(poolsQuery, c.req.query());
    return c.json({ pools: await deps.data.pools({ limit: q.limit, ...(q.watchlist !== undefined ? { watchlist: q.watchlist } : {}), ...(q.q ? { q: q.q } : {}) }) });
  });
  app.get('/api/pools/:id', async (c) => c.json({ pool: await poolOr404(deps.data, c.req.param('id')) }));
  app.get('/api/pools/:id/ohlcv', async (c) => {
    const q = parseQuery(ohlcvQuery, c.req.query());
    const pool = await poolOr404(deps.data, c.req.param('id'));
    const timeframe = q.timeframe ?? (timeframes[0] as (typeof TIMEFRAMES)[number]);
    return c.json({ poolId: pool.id, timeframe, candles: await deps.data.candles(pool.id, timeframe, q.limit) });
  });
  app.get('/api/gaps', async (c) => {
    const q = parseQuery(gapsQuery, c.req.query());
    return c.json({ gaps: await deps.data.gaps({ limit: q.limit, open: q.open ?? true, ...(q.pool ? { poolId: q.pool } : {}) }) });
  });

  mountAssets(app);
  app.get('/', async (c) => {
    let q;
    try {
      q = parseQuery(dashboardQuery, c.req.query());
    } catch (error) {
      if (error instanceof HttpError) return htmlError(c, error);
      throw error;
    }
    const timeframe = q.timeframe ?? (timeframes[0] as string);
    const [status, runs, gaps, watchlist, chartPools] = await Promise.all([
      deps.status(),
      deps.data.runs({ limit: 400 }),
      deps.data.gaps({ open: true, limit: 20 }),
      deps.data.pools({ watchlist: true, limit: 200, ...(q.q ? { q: q.q } : {}) }),
      deps.data.pools({ watchlist: true, limit: 500 }),
    ]);
    const selectedPool = q.pool ? ((await deps.data.pool(q.pool)) ?? undefined) : chartPools[0];
    if (selectedPool && !chartPools.some((p) => p.id === selectedPool.id)) chartPools.unshift(selectedPool);
    const page = dashboardPage({ status, runs, gaps, watchlist, chartPools, selectedPool, q: q.q ?? '', timeframe, timeframes, now: clock.now(), refreshMs: deps.refreshMs ?? 1_000 });
    return c.html(page);
  });

  return app;
}

async function poolOr404(data: ServerData, id: string) {
  const pool = await data.pool(id);
  if (!pool) throw new HttpError(404, 'not_found', `No pool with id ${JSON.stringify(id)} is stored; pool ids look like "solana_<address>".`);
  return pool;
}

function htmlError(c: Context, error: HttpError) {
  return c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>gtc: bad request</title><link rel="stylesheet" href="/assets/dashboard.css"></head><body><main><section><h2>Bad request</h2><p>${escapeHtml(error.message)}</p><p><a href="/">Back to the dashboard</a></p></section></main></body></html>`, error.status);
}
