import { decToNumberLexeme, plainNumberLexeme } from './decimal.ts';
import type { Currency, MinuteAgg } from './summary.ts';
import { volumeScale, type TradeSource } from './trades.ts';
import type { SimPool } from './universe.ts';

/**
 * OHLCV candles aggregated from the simulated trades, as the API serves them: an interval
 * without trades has no candle (unless empty intervals are asked for: then it repeats the last
 * close with zero volume). Values are JSON number lexemes: the double nearest to the exact price.
 */
export type { Currency } from './summary.ts';

export interface SimCandle {
  /** Interval start, unix seconds. */
  ts: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

/** gtc timeframe name → API timeframe, aggregate and interval length. */
export const TIMEFRAMES = {
  '1m': { timeframe: 'minute', aggregate: 1, seconds: 60 },
  '5m': { timeframe: 'minute', aggregate: 5, seconds: 300 },
  '15m': { timeframe: 'minute', aggregate: 15, seconds: 900 },
  '1h': { timeframe: 'hour', aggregate: 1, seconds: 3600 },
  '4h': { timeframe: 'hour', aggregate: 4, seconds: 14_400 },
  '12h': { timeframe: 'hour', aggregate: 12, seconds: 43_200 },
  '1d': { timeframe: 'day', aggregate: 1, seconds: 86_400 },
} as const;
export type TimeframeName = keyof typeof TIMEFRAMES;

/** Interval seconds for an API (timeframe, aggregate) pair, or undefined when the API refuses it. */
export function intervalSeconds(timeframe: string, aggregate: number): number | undefined {
  for (const spec of Object.values(TIMEFRAMES)) {
    if (spec.timeframe === timeframe && spec.aggregate === aggregate) return spec.seconds;
  }
  return undefined;
}

class Accumulator {
  open = 0;
  high = -Infinity;
  low = Infinity;
  close = 0;
  volume = 0n;
  count = 0;

  constructor(readonly ts: number) {}

  /** Adds a minute row; rows arrive in time order (`reverse` = newest first). */
  add(row: MinuteAgg, reverse: boolean): void {
    if (this.count === 0) {
      this.open = row.open;
      this.close = row.close;
    } else if (reverse) this.open = row.open;
    else this.close = row.close;
    this.high = Math.max(this.high, row.high);
    this.low = Math.min(this.low, row.low);
    this.volume += row.volume;
    this.count += row.count;
  }

  candle(volumeScale: number): SimCandle {
    return {
      ts: this.ts,
      open: plainNumberLexeme(this.open),
      high: plainNumberLexeme(this.high),
      low: plainNumberLexeme(this.low),
      close: plainNumberLexeme(this.close),
      volume: decToNumberLexeme({ m: this.volume, s: volumeScale }),
    };
  }
}

/** Candles whose interval starts in [fromMs, toMs), oldest first, counting trades up to `now`. */
export function candlesBetween(source: TradeSource, pool: SimPool, intervalSec: number, fromMs: number, toMs: number, now: number, currency: Currency = 'usd'): SimCandle[] {
  const intervalMs = intervalSec * 1000;
  const start = Math.ceil(fromMs / intervalMs) * intervalMs;
  const end = Math.min(Math.ceil(toMs / intervalMs) * intervalMs, Math.floor(now / 60_000) * 60_000 + 60_000);
  const found: Accumulator[] = [];
  for (const row of source.minutesDescending(pool, start, end, now, currency)) {
    const ts = Math.floor(row.ts / intervalSec) * intervalSec;
    if (found.at(-1)?.ts !== ts) found.push(new Accumulator(ts));
    (found.at(-1) as Accumulator).add(row, true);
  }
  const scale = volumeScale(pool, currency);
  return found.map((a) => a.candle(scale)).reverse();
}

export interface CandlePageQuery {
  intervalSec: number;
  /** Only candles starting before this (unix seconds). */
  beforeTs: number;
  limit: number;
  currency: Currency;
  includeEmpty: boolean;
  now: number;
  /** Oldest time the API still serves (ms). */
  historyStartMs: number;
}

/** One OHLCV page, newest first, as the endpoint serves it. */
export function candlePage(source: TradeSource, pool: SimPool, q: CandlePageQuery): SimCandle[] {
  const intervalMs = q.intervalSec * 1000;
  const endMs = Math.min(q.beforeTs * 1000, q.now + 1);
  if (endMs <= 0) return [];
  const newestStart = Math.floor((endMs - 1) / intervalMs) * intervalMs;
  const spanStart = newestStart - (q.limit - 1) * intervalMs;
  const floorMs = Math.ceil(q.historyStartMs / intervalMs) * intervalMs;
  const found: Accumulator[] = [];
  const done = (startMs: number): boolean =>
    q.includeEmpty ? startMs < spanStart && found.length > 0 && (found.at(-1) as Accumulator).ts * 1000 < spanStart : found.length >= q.limit;
  for (const row of source.minutesDescending(pool, floorMs, newestStart + intervalMs, q.now, q.currency)) {
    const startMs = Math.floor((row.ts * 1000) / intervalMs) * intervalMs;
    if (found.at(-1)?.ts !== startMs / 1000) {
      if (done(startMs)) break;
      found.push(new Accumulator(startMs / 1000));
    }
    (found.at(-1) as Accumulator).add(row, true);
  }
  const scale = volumeScale(pool, q.currency);
  const candles = found.map((a) => a.candle(scale));
  return q.includeEmpty ? fillEmpty(candles, newestStart / 1000, spanStart / 1000, q.intervalSec) : candles;
}

/** Adds the intervals without trades inside [spanStart, newest], repeating the previous close. */
function fillEmpty(candles: SimCandle[], newestTs: number, spanStartTs: number, intervalSec: number): SimCandle[] {
  const byTs = new Map(candles.map((c) => [c.ts, c]));
  const oldest = candles[candles.length - 1];
  if (!oldest) return [];
  const out: SimCandle[] = [];
  for (let ts = newestTs; ts >= Math.max(spanStartTs, oldest.ts); ts -= intervalSec) {
    const candle = byTs.get(ts);
    if (candle) {
      out.push(candle);
      continue;
    }
    const previous = candles.find((c) => c.ts < ts) as SimCandle;
    out.push({ ts, open: previous.close, high: previous.close, low: previous.close, close: previous.close, volume: '0' });
  }
  return out;
}
