import { decToNumberLexeme, plainNumberLexeme } from './decimal.ts';
import type { Currency, MinuteAgg } from './summary.ts';
import { volumeScale, type TradeSource } from './trades.ts';
import type { SimPool } from './universe.ts';

/**
 * OHLCV candles aggregated from the simulated trades, as the API serves them: an interval
 * without trades has no candle (unless empty intervals are asked for: then it repeats the last
 * close with zero volume); a candle opens at the previous close. Values are JSON number lexemes:
 * the double nearest to the exact price.
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

/** Close of the last trade before `beforeMs` (searching back to the pool's creation), if any. */
function closeBefore(source: TradeSource, pool: SimPool, beforeMs: number, now: number, currency: Currency): number | undefined {
  for (const row of source.minutesDescending(pool, pool.createdAt, beforeMs, now, currency)) return row.close;
  return undefined;
}

/**
 * Finishes candles given newest first: as the API does (2025), a candle opens at the previous
 * candle's close (`carry` for the oldest), and its high and low include that open.
 */
function finish(found: Accumulator[], carry: number | undefined, scale: number): SimCandle[] {
  let previousClose = carry;
  for (let i = found.length - 1; i >= 0; i--) {
    const candle = found[i] as Accumulator;
    if (previousClose !== undefined) candle.open = previousClose;
    candle.high = Math.max(candle.high, candle.open);
    candle.low = Math.min(candle.low, candle.open);
    previousClose = candle.close;
  }
  return found.map((a) => a.candle(scale));
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
  return finish(found, closeBefore(source, pool, start, now, currency), volumeScale(pool, currency)).reverse();
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
  let carry: number | undefined;
  let complete = false;
  const done = (startMs: number): boolean =>
    q.includeEmpty ? startMs < spanStart && found.length > 0 && (found.at(-1) as Accumulator).ts * 1000 < spanStart : found.length >= q.limit;
  for (const row of source.minutesDescending(pool, floorMs, newestStart + intervalMs, q.now, q.currency)) {
    const startMs = Math.floor((row.ts * 1000) / intervalMs) * intervalMs;
    if (found.at(-1)?.ts !== startMs / 1000) {
      if (done(startMs)) {
        // The newest minute of the next older interval: its close opens the oldest candle kept.
        carry = row.close;
        complete = true;
        break;
      }
      found.push(new Accumulator(startMs / 1000));
    }
    (found.at(-1) as Accumulator).add(row, true);
  }
  if (!complete) carry = closeBefore(source, pool, floorMs, q.now, q.currency);
  const candles = finish(found, carry, volumeScale(pool, q.currency));
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
