import { hostname } from 'node:os';
import { z } from 'zod';
import { TIMEFRAMES } from '../lib/records.ts';
import { parseDuration } from './duration.ts';

export { TIMEFRAMES, type Timeframe } from '../lib/records.ts';

/** A duration ("30s", "5m", "1h") or a number of milliseconds, parsed to milliseconds. */
const duration = z.union([z.number().int().nonnegative(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected a duration such as "500ms", "30s", "5m", "1h" or "1d", got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return ms;
});


const httpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, { message: 'expected an http:// or https:// URL' });

/** `sqlite:PATH`, `sqlite::memory:`, a plain file path, or `postgres://…` / `postgresql://…`. */
const databaseUrl = z.string().min(1).refine((value) => {
  if (/^postgres(ql)?:\/\//.test(value)) {
    try {
      new URL(value);
      return true;
    } catch {
      return false;
    }
  }
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || value.startsWith('sqlite:');
}, { message: 'expected "sqlite:PATH", a file path, or a "postgres://user@host:port/database" URL' });

const collectorBase = { enabled: z.boolean().default(true) };

const collectorsSchema = z
  .object({
    dexes: z.object({ ...collectorBase, interval: duration.default('1h') }).strict().default({}),
    'top-pools': z
      .object({ ...collectorBase, interval: duration.default('5m'), dexes: z.array(z.string().min(1)).default(['pumpswap', 'raydium']), pages: z.number().int().min(1).max(10).default(1) })
      .strict()
      .default({}),
    'new-pools': z
      .object({ ...collectorBase, interval: duration.default('5m'), allNetworks: z.boolean().default(false), pages: z.number().int().min(1).max(10).default(1) })
      .strict()
      .default({}),
    watchlist: z.object({ ...collectorBase, interval: duration.default('5m') }).strict().default({}),
    ohlcv: z
      .object({
        ...collectorBase,
        interval: duration.default('15m'),
        timeframes: z.array(z.enum(TIMEFRAMES)).min(1).default(['5m', '1h', '1d']),
        /** How far back a newly watched pool is backfilled. */
        backfillDays: z.number().int().min(0).max(365).default(7),
      })
      .strict()
      .default({}),
    trades: z
      .object({
        ...collectorBase,
        interval: duration.default('10m'),
        minVolumeUsd: z.number().nonnegative().default(0),
        /** Bounds for each pool's adaptive poll interval. */
        minPollInterval: duration.default('1m'),
        maxPollInterval: duration.default('6h'),
      })
      .strict()
      .default({}),
    discovery: z
      .object({
        ...collectorBase,
        interval: duration.default('1h'),
        minReserveUsd: z.number().nonnegative().default(10_000),
        minVolume24hUsd: z.number().nonnegative().default(50_000),
        minTransactions24h: z.number().int().nonnegative().default(100),
        maxWatched: z.number().int().min(1).default(200),
        /** A discovered pool below the thresholds this long is deactivated (never deleted). */
        deactivateAfter: duration.default('24h'),
      })
      .strict()
      .default({}),
  })
  .strict()
  .default({});

export const configSchema = z
  .object({
    database: z
      .object({
        url: databaseUrl.default('sqlite:./data/gtc.sqlite'),
        synchronous: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
        busyTimeout: duration.default('5s'),
        /** Total time a write may spend retrying busy/locked/serialization failures. */
        maxRetryWait: duration.default('30s'),
        retryBaseDelay: duration.default('20ms'),
        retryMaxDelay: duration.default('2s'),
        breakerThreshold: z.number().int().min(1).default(5),
        breakerHalfOpenAfter: duration.default('5s'),
        poolSize: z.number().int().min(1).max(100).default(10),
      })
      .strict()
      .default({}),
    api: z
      .object({
        baseUrl: httpUrl.default('https://api.geckoterminal.com/api/v2'),
        /** Prefer GTC_API_KEY; a key here is accepted but never printed. */
        apiKey: z.string().min(1).optional(),
        requestsPerMinute: z.number().positive().max(100_000).default(30),
        burst: z.number().int().min(1).default(1),
        dailyLimit: z.number().int().positive().default(10_000),
        timeoutMs: z.number().int().positive().default(15_000),
        maxAttempts: z.number().int().min(1).max(20).default(5),
        maxRetryWait: duration.default('2m'),
        breakerThreshold: z.number().int().min(1).default(5),
        breakerHalfOpenAfter: duration.default('30s'),
        budgetKey: z.string().min(1).default(hostname()),
      })
      .strict()
      .default({}),
    networks: z.array(z.string().regex(/^[a-z0-9_-]+$/, 'expected a GeckoTerminal network id such as "solana" or "polygon_pos"')).min(1).default(['solana']),
    collectors: collectorsSchema,
    recovery: z
      .object({
        failureThreshold: z.number().int().min(1).default(3),
        retryBackoff: z.tuple([duration, duration]).default(['2s', '60s']),
        probeInterval: duration.default('5s'),
        apiProbeInterval: duration.default('30s'),
        /**
         * Spacing of API probe calls while the API is down and the rate limiter idle (budget nobody
         * else would use): an outage's end is seen within this, so a suspended collector resumes
         * within seconds. At 30 calls/min, 2 s is the limiter's own pace.
         */
        apiProbeWhileDown: duration.default('2s'),
        /**
         * Spacing of database probes while the database is down (its write breaker open on a
         * dropped connection, a full disk, an I/O error): local and free, so its return is seen within this.
         */
        databaseProbeWhileDown: duration.default('1s'),
        runTimeout: duration.default('10m'),
        maxIntervalFactor: z.number().min(1).default(4),
        claimTimeout: duration.default('2m'),
      })
      .strict()
      .default({}),
    server: z
      .object({
        enabled: z.boolean().default(true),
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65_535).default(8080),
        /** Prefer GTC_HTTP_TOKEN; required when host is not a loopback address. */
        token: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    alerts: z
      .object({
        webhooks: z
          .array(z.object({ url: httpUrl, format: z.enum(['json', 'slack', 'discord']).default('json') }).strict())
          .default([]),
      })
      .strict()
      .default({}),
    log: z.object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') }).strict().default({}),
  })
  .strict();

export type GtcConfig = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type CollectorName = keyof GtcConfig['collectors'];
