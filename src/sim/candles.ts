import { decAdd, decToNumberLexeme, decToString, plainNumberLexeme, type Dec } from './decimal.ts';
import { TRADE_WINDOW_MS, type SimTrade, type TradeSource } from './trades.ts';
import type { SimPool } from './universe.ts';

/**
 * OHLCV candles aggregated from the simulated trades, as the API serves them: an interval
 * without trades has no candle (unless empty intervals are asked for: then it repeats the last
 * close with zero volume). Values are JSON number lexemes: the double nearest to the exact price.
 */
export type Currency = 'usd' | 'token';

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
  volume: Dec = { m: 0n, s: 0 };
  count = 0;

  constructor(readonly ts: number) {}

  /** Adds a trade; trades arrive in time order (`reverse` = newest first). */
  add(trade: SimTrade, currency: Currency, reverse: boolean): void {
    const price = Number(decToString(currency === 'usd' ? trade.baseUsd : trade.priceNative));
    if (this.count === 0) {
      this.open = price;
      this.close = price;
    } else if (reverse) this.open = price;
    else this.close = price;
    this.high = Math.max(this.high, price);
    this.low = Math.min(this.low, price);
    this.volume = decAdd(this.volume, currency === 'usd' ? trade.volumeUsd : trade.quoteAmount);
    this.count += 1;
  }

  candle(): SimCandle {
    return {
      ts: this.ts,
      open: plainNumberLexeme(this.open),
      high: plainNumberLexeme(this.high),
      low: plainNumberLexeme(this.low),
      close: plainNumberLexeme(this.close),
      volume: decToNumberLexeme(this.volume),
    };
  }
}

/** Candles whose interval starts in [fromMs, toMs), oldest first, counting trades up to `now`. */
export function candlesBetween(source: TradeSource, pool: SimPool, intervalSec: number, fromMs: number, toMs: number, now: number, currency: Currency = 'usd'): SimCandle[] {
  const intervalMs = intervalSec * 1000;
  const start = Math.ceil(fromMs / intervalMs) * intervalMs;
  const lastStart = Math.ceil(toMs / intervalMs) * intervalMs - intervalMs;
  const out: SimCandle[] = [];
  let current: Accumulator | undefined;
  for (const trade of source.range(pool, start, Math.min(lastStart + intervalMs, now + 1))) {
    const ts = Math.floor(trade.atMs / intervalMs) * intervalSec;
    if (current?.ts !== ts) {
      if (current) out.push(current.candle());
      current = new Accumulator(ts);
    }
    current.add(trade, currency, false);
  }
  if (current) out.push(current.candle());
  return out;
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
  const floorMs = Math.max(pool.createdAt, Math.ceil(q.historyStartMs / intervalMs) * intervalMs);
  const upper = Math.min(newestStart + intervalMs, q.now + 1);
  const found: Accumulator[] = [];
  let current: Accumulator | undefined;
  const done = (startMs: number): boolean =>
    q.includeEmpty ? startMs < spanStart && found.length > 0 && (found[found.length - 1] as Accumulator).ts * 1000 < spanStart : found.length >= q.limit;
  scan: for (let w = Math.floor((upper - 1) / TRADE_WINDOW_MS); w >= Math.floor(floorMs / TRADE_WINDOW_MS); w--) {
    const trades = source.window(pool, w);
    for (let i = trades.length - 1; i >= 0; i--) {
      const trade = trades[i] as SimTrade;
      if (trade.atMs >= upper) continue;
      if (trade.atMs < floorMs) break scan;
      const startMs = Math.floor(trade.atMs / intervalMs) * intervalMs;
      if (current?.ts !== startMs / 1000) {
        if (done(startMs)) break scan;
        current = new Accumulator(startMs / 1000);
        found.push(current);
      }
      current.add(trade, q.currency, true);
    }
  }
  const candles = found.map((a) => a.candle());
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
