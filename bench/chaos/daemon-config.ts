/**
 * The configuration the chaos daemons run with: gtc's defaults for everything that decides
 * behaviour, intervals of the incident (5 minutes), the real API's 30 calls/min shared by the
 * three processes — and, for the baseline, the replaced system expressed as configuration.
 */
import { writeFileSync } from 'node:fs';
import type { ConfigInput } from '../../src/config/index.ts';

export type Mode = 'gtc' | 'baseline';

export const BASELINE_DESCRIPTION = 'replaced system: deferred transactions, no write retry, 5-failure threshold, retry at the next slot, fixed 1-min cooldown, one limiter per collector';

/** Intervals by collector (ms): what availability counts slots against. */
export const INTERVALS: Record<string, number> = {
  dexes: 3_600_000, 'top-pools': 300_000, 'new-pools': 300_000, watchlist: 300_000, ohlcv: 300_000, trades: 300_000,
};

export function daemonConfig(mode: Mode, databaseUrl: string, simUrl: string, speed: number): ConfigInput {
  const config: ConfigInput = {
    database: {
      url: databaseUrl,
      // SQLite's busy handler waits in real time; everything else runs on the accelerated clock,
      // so its 5 s are scaled too, keeping the ratios of the real system.
      busyTimeout: Math.max(1, Math.round(5000 / speed)),
    },
    api: { baseUrl: simUrl, requestsPerMinute: 30, burst: 1, dailyLimit: 1_000_000, timeoutMs: 120_000, budgetKey: 'chaos' },
    networks: ['solana'],
    collectors: {
      dexes: { interval: INTERVALS.dexes },
      'top-pools': { interval: INTERVALS['top-pools'], dexes: ['raydium'] },
      'new-pools': { interval: INTERVALS['new-pools'] },
      watchlist: { interval: INTERVALS.watchlist },
      ohlcv: { interval: INTERVALS.ohlcv, timeframes: ['5m', '1h'], backfillDays: 1 },
      trades: { interval: INTERVALS.trades, minPollInterval: '1m' },
      // The watched set stays the one the harness seeded, so it can be compared with the truth.
      discovery: { enabled: false },
    },
    server: { enabled: false },
    log: { level: 'info' },
  };
  if (mode === 'baseline') {
    config.database = { ...config.database, maxRetryWait: 0, breakerThreshold: 1_000_000 };
    config.recovery = { failureThreshold: 5, retryBackoff: ['5m', '5m'], probeInterval: '60s', apiProbeInterval: '60s', maxIntervalFactor: 1 };
  }
  return config;
}

export function writeDaemonConfig(file: string, config: ConfigInput): void {
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
}
