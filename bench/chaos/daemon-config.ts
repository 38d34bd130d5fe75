/**
 * The configuration the chaos daemons run with: gtc's defaults for everything that decides
 * behaviour, the profile's intervals, the real API's 30 calls/min shared by the three processes
 * — and, for the baseline, the replaced system expressed as configuration.
 */
import { writeFileSync } from 'node:fs';
import type { ConfigInput } from '../../src/config/index.ts';

export type Mode = 'gtc' | 'baseline';

export const BASELINE_DESCRIPTION = 'replaced system: deferred transactions, no write retry, 5-failure threshold, retry at the next slot, fixed 1-min cooldown, one limiter per collector';

/** Intervals by collector (ms): what the daemons run on and availability counts slots against. */
export type Intervals = Record<'dexes' | 'top-pools' | 'new-pools' | 'watchlist' | 'ohlcv' | 'trades', number>;

export interface DaemonSettings {
  speed: number;
  intervals: Intervals;
  /** api.timeoutMs in simulated ms (default: gtc's 15 s). */
  apiTimeoutMs?: number;
}

export function daemonConfig(mode: Mode, databaseUrl: string, simUrl: string, settings: DaemonSettings): ConfigInput {
  const { speed, intervals } = settings;
  const config: ConfigInput = {
    database: {
      url: databaseUrl,
      // SQLite's busy handler waits in real time; everything else runs on the accelerated clock,
      // so its 5 s are scaled too, keeping the ratios of the real system.
      busyTimeout: Math.max(1, Math.round(5000 / speed)),
    },
    api: { baseUrl: simUrl, requestsPerMinute: 30, burst: 1, dailyLimit: 1_000_000, budgetKey: 'chaos', ...(settings.apiTimeoutMs ? { timeoutMs: settings.apiTimeoutMs } : {}) },
    networks: ['solana'],
    collectors: {
      dexes: { interval: intervals.dexes },
      'top-pools': { interval: intervals['top-pools'], dexes: ['raydium'] },
      'new-pools': { interval: intervals['new-pools'] },
      watchlist: { interval: intervals.watchlist },
      ohlcv: { interval: intervals.ohlcv, timeframes: ['5m', '1h'], backfillDays: 1 },
      trades: { interval: intervals.trades, minPollInterval: '1m' },
      // The watched set stays the one the harness seeded, so it can be compared with the truth.
      discovery: { enabled: false },
    },
    server: { enabled: false },
    // Debug: each stored page is logged, which is when data flowed again after a fault (recovery).
    log: { level: 'debug' },
  };
  if (mode === 'baseline') {
    config.database = { ...config.database, maxRetryWait: 0, breakerThreshold: 1_000_000 };
    config.recovery = { failureThreshold: 5, retryBackoff: [intervals.watchlist, intervals.watchlist], probeInterval: '60s', apiProbeInterval: '60s', maxIntervalFactor: 1 };
  }
  return config;
}

export function writeDaemonConfig(file: string, config: ConfigInput): void {
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
}
