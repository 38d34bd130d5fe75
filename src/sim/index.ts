import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScaledClock, type Clock } from '../lib/clock.ts';
import { handleAdmin } from './admin.ts';
import { FaultController } from './faults.ts';
import { Market, type MarketOptions } from './market.ts';
import { SlidingWindowLimiter } from './rate-limit.ts';
import { handleApi, V2_PREFIX, V3_PREFIX } from './server.ts';
import { Stats } from './stats.ts';

/**
 * A GeckoTerminal-compatible API on loopback, serving a seeded synthetic market that moves with
 * (possibly accelerated) simulated time, with the real API's limits and injectable faults.
 */
export interface SimulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  seed?: string | number;
  /** Network ids (see catalog.ts: solana, eth, bsc, base, polygon_pos). Default ['solana']. */
  networks?: string[];
  /** Pools existing at the start, per network (default 100). */
  poolsPerNetwork?: number;
  /** New pools appearing per simulated hour, per network (default 6). */
  newPoolsPerHour?: number;
  /** How far back the pools existing at the start were created (default 180 days). */
  historyDays?: number;
  /** Public (/api/v2) limit per sliding minute; 0 = unlimited. Default 30. */
  requestsPerMinute?: number;
  /** Keyed (/api/v3/onchain) limit per sliding minute; 0 = unlimited. Default 500. */
  keyedRequestsPerMinute?: number;
  /** Simulated seconds per real second when no clock is injected (default 1). */
  speed?: number;
  /** Use this clock instead (e.g. a ManualClock shared with the code under test). */
  clock?: Clock;
  /** Simulated start time, epoch ms (default: the clock's now, whole seconds). */
  startTime?: number;
  /** Spread of trades per 24 h the pools' rates are drawn from (default: the real fixtures'). */
  tradeRates?: number[];
  /** Give a few tokens names like `<img src=x onerror=alert(1)>` and `=HYPERLINK(...)`. */
  hostileNames?: boolean;
  /** How many recent requests the statistics keep (default 2000). */
  recentRequests?: number;
}

export interface Simulator {
  /** Base URL to use as api.baseUrl, e.g. http://127.0.0.1:PORT/api/v2 */
  url: string;
  /** The keyed host form (needs the x-cg-pro-api-key header), e.g. http://127.0.0.1:PORT/api/v3/onchain */
  keyedUrl: string;
  /** e.g. http://127.0.0.1:PORT/__admin */
  adminUrl: string;
  market: Market;
  faults: FaultController;
  stats: Stats;
  clock: Clock;
  /** Changes the rate limits at runtime (0 = unlimited). */
  setRateLimit(requestsPerMinute: number, keyedRequestsPerMinute?: number): void;
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const scaledClock = options.clock ? undefined : new ScaledClock(options.startTime ?? Math.floor(Date.now() / 1000) * 1000, options.speed ?? 1);
  const clock: Clock = options.clock ?? (scaledClock as ScaledClock);
  const marketOptions: MarketOptions = {
    seed: String(options.seed ?? 'gtc'),
    networks: options.networks ?? ['solana'],
    poolsPerNetwork: options.poolsPerNetwork ?? 100,
    newPoolsPerHour: options.newPoolsPerHour ?? 6,
    historyDays: options.historyDays ?? 180,
    startTime: options.startTime ?? Math.floor(clock.now() / 1000) * 1000,
    tradeRates: options.tradeRates ?? [],
    hostileNames: options.hostileNames ?? false,
  };
  const market = new Market(marketOptions, clock);
  const faults = new FaultController(clock);
  const stats = new Stats(options.recentRequests);
  const publicLimiter = new SlidingWindowLimiter(clock, options.requestsPerMinute ?? 30);
  const keyedLimiter = new SlidingWindowLimiter(clock, options.keyedRequestsPerMinute ?? 500);
  const apiDeps = { market, faults, stats, publicLimiter, keyedLimiter };
  const adminDeps = { faults, stats, clock, scaledClock, publicLimiter, keyedLimiter };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim.local');
    const work = url.pathname.startsWith('/__admin/') ? handleAdmin(adminDeps, req, res, url.pathname) : handleApi(apiDeps, req, res, url);
    work.catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ errors: [{ status: '500', title: 'Simulator bug', detail: String(error) }] }));
    });
  });
  // Longer than clients keep idle sockets (undici: 4 s), so the client always closes first: no reset races.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `http://${host}:${address.port}`;
  return {
    url: `${origin}${V2_PREFIX}`,
    keyedUrl: `${origin}${V3_PREFIX}`,
    adminUrl: `${origin}/__admin`,
    market,
    faults,
    stats,
    clock,
    setRateLimit(requestsPerMinute, keyedRequestsPerMinute) {
      publicLimiter.setLimit(requestsPerMinute);
      if (keyedRequestsPerMinute !== undefined) keyedLimiter.setLimit(keyedRequestsPerMinute);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Hung requests and idle keep-alive sockets would hold close() open forever.
        server.closeAllConnections();
      }),
  };
}

export type { Market, MarketTruth, TruthPool, TruthToken } from './market.ts';
export type { SimCandle, TimeframeName, Currency } from './candles.ts';
export type { FaultController, FaultSpec, FaultMode, ActiveFault } from './faults.ts';
export type { Stats, StatsSnapshot, RequestRecord } from './stats.ts';
export { ScaledClock } from '../lib/clock.ts';
