import { decAtScale, decDiv, decFromDoublePrecision, decMul, decToDouble, type Dec } from './decimal.ts';
import { QUOTE_SCALE, type PriceModel } from './prices.ts';
import { BASE58, HEX, Rng } from './prng.ts';
import { LruCache } from './lru.ts';
import { minuteAggs, summarize, summaryUnits, type Currency, type MinuteAgg, type WindowSummary } from './summary.ts';
import type { SimPool } from './universe.ts';

/**
 * Trades, generated lazily per pool and per one-hour window from (seed, pool, window index):
 * arrivals are a Poisson process at the pool's rate (modulated hour by hour), prices follow the
 * tokens' walks. Bounded LRUs keep recently used windows and their summaries, so memory stays
 * flat however long the simulation runs.
 */
export const TRADE_WINDOW_MS = 3_600_000;
const DAY = 86_400_000;

export interface SimTrade {
  pool: SimPool;
  window: number;
  seq: number;
  /** Arrival time in ms (exact), and the block time in whole seconds. */
  atMs: number;
  ts: number;
  kind: 'buy' | 'sell';
  blockNumber: number;
  logIndex: number;
  wallet: number;
  quoteAmount: Dec;
  /** Base token price in quote tokens. */
  priceNative: Dec;
  quoteUsd: Dec;
  /** quoteAmount × quoteUsd, exact, at the pool's fixed scale (not normalised). */
  volumeUsd: Dec;
  /** The double nearest to the base token's exact USD price (priceNative × quoteUsd): candle values. */
  baseUsdNumber: number;
}

/** Scale of a pool's exact USD volumes (quote amount scale + quote price scale). */
export function volumeScale(pool: SimPool, currency: Currency): number {
  const quoteDecimals = Math.min(pool.quote.decimals, 9);
  return currency === 'usd' ? quoteDecimals + QUOTE_SCALE : quoteDecimals;
}

/** The base token's exact USD price in a trade. */
export function tradeBaseUsd(trade: SimTrade): Dec {
  return decMul(trade.priceNative, trade.quoteUsd);
}

/** The base token amount of a trade: quote amount / price, truncated to the token's decimals. */
export function tradeBaseAmount(trade: SimTrade): Dec {
  return decDiv(trade.quoteAmount, trade.priceNative, trade.pool.base.decimals);
}

export class TradeSource {
  private readonly windows: LruCache<SimTrade[]>;
  private readonly summaries: LruCache<WindowSummary>;

  /**
   * Memory stays bounded: `cacheTrades` trades (about half a kilobyte each) and `cacheSummaryUnits`
   * units of window summaries (about 64 bytes each).
   */
  constructor(
    private readonly seedHash: number,
    private readonly prices: PriceModel,
    cacheTrades = 100_000,
    cacheSummaryUnits = 1_000_000,
  ) {
    this.windows = new LruCache(cacheTrades, (trades) => trades.length + 1);
    this.summaries = new LruCache(cacheSummaryUnits, summaryUnits);
  }

  /** Trades with fromMs <= atMs < toMs, oldest first. */
  range(pool: SimPool, fromMs: number, toMs: number): SimTrade[] {
    const out: SimTrade[] = [];
    const start = Math.max(fromMs, pool.createdAt);
    if (start >= toMs || pool.tradesPerDay <= 0) return out;
    for (let w = Math.floor(start / TRADE_WINDOW_MS); w <= Math.floor((toMs - 1) / TRADE_WINDOW_MS); w++) {
      for (const trade of this.window(pool, w)) if (trade.atMs >= fromMs && trade.atMs < toMs) out.push(trade);
    }
    return out;
  }

  /** Up to `limit` accepted trades with fromMs <= atMs < toMs, newest first (reads only as far back as needed). */
  newest(pool: SimPool, fromMs: number, toMs: number, limit: number, accept: (trade: SimTrade) => boolean): SimTrade[] {
    const out: SimTrade[] = [];
    const start = Math.max(fromMs, pool.createdAt);
    if (start >= toMs || pool.tradesPerDay <= 0) return out;
    for (let w = Math.floor((toMs - 1) / TRADE_WINDOW_MS); w >= Math.floor(start / TRADE_WINDOW_MS) && out.length < limit; w--) {
      const trades = this.window(pool, w);
      for (let i = trades.length - 1; i >= 0 && out.length < limit; i--) {
        const trade = trades[i] as SimTrade;
        if (trade.atMs >= fromMs && trade.atMs < toMs && accept(trade)) out.push(trade);
      }
    }
    return out;
  }

  /**
   * Minute rows of trades with fromMs <= atMs < toMs (minute-aligned bounds), newest first; whole
   * past windows come from their cached summaries.
   */
  *minutesDescending(pool: SimPool, fromMs: number, toMs: number, now: number, currency: Currency): Generator<MinuteAgg> {
    const start = Math.max(fromMs, pool.createdAt);
    if (start >= toMs || pool.tradesPerDay <= 0) return;
    for (let w = Math.floor((toMs - 1) / TRADE_WINDOW_MS); w >= Math.floor(start / TRADE_WINDOW_MS); w--) {
      const windowStart = w * TRADE_WINDOW_MS;
      const whole = windowStart >= fromMs && windowStart + TRADE_WINDOW_MS <= Math.min(toMs, now + 1);
      const rows = whole && currency === 'usd' ? this.summary(pool, w).minutes : minuteAggs(this.window(pool, w).filter((t) => t.atMs >= fromMs && t.atMs < toMs && t.atMs <= now), currency);
      for (let i = rows.length - 1; i >= 0; i--) yield rows[i] as MinuteAgg;
    }
  }

  /** Aggregates of one whole window (callers use it only for windows entirely in the past). */
  summary(pool: SimPool, w: number): WindowSummary {
    const key = `${pool.id}|${w}`;
    const cached = this.summaries.get(key);
    if (cached) return cached;
    const summary = summarize(this.window(pool, w));
    this.summaries.set(key, summary);
    return summary;
  }

  window(pool: SimPool, w: number): SimTrade[] {
    const key = `${pool.id}|${w}`;
    const cached = this.windows.get(key);
    if (cached) return cached;
    const trades = this.generate(pool, w);
    this.windows.set(key, trades);
    return trades;
  }

  private generate(pool: SimPool, w: number): SimTrade[] {
    const trades: SimTrade[] = [];
    const windowStart = w * TRADE_WINDOW_MS;
    const windowEnd = windowStart + TRADE_WINDOW_MS;
    let t = Math.max(windowStart, pool.createdAt);
    if (t >= windowEnd || pool.tradesPerDay <= 0) return trades;
    const rng = Rng.fromInts(this.seedHash, pool.key, w, 0x7ade);
    const meanGap = DAY / (pool.tradesPerDay * this.prices.activity(pool, w));
    const { block } = pool.network;
    const quoteDecimals = volumeScale(pool, 'token');
    for (;;) {
      t += rng.exponential(meanGap);
      if (t >= windowEnd) break;
      const atMs = Math.floor(t);
      const quote = this.prices.quote(pool.quote, atMs);
      const quoteUsdDouble = quote.usd;
      const quoteUsd = quote.exact;
      const priceNative = this.prices.priceNative(pool, atMs, quoteUsdDouble);
      const sizeUsd = Math.exp(Math.log(150) + 1.3 * rng.gaussian());
      // Fixed scale (the quote's decimals, at most 9): volumes of one pool then add up without rescaling.
      const rounded = decAtScale(decFromDoublePrecision(sizeUsd / quoteUsdDouble, 10), quoteDecimals);
      if (rounded.m === 0n) continue;
      trades.push({
        pool,
        window: w,
        seq: trades.length,
        atMs,
        ts: Math.floor(atMs / 1000),
        kind: rng.next() < 0.52 ? 'buy' : 'sell',
        blockNumber: block.height + Math.floor((atMs - block.atMs) / block.intervalMs),
        logIndex: rng.int(64),
        wallet: Math.floor(rng.next() ** 1.5 * pool.walletCount),
        quoteAmount: rounded,
        priceNative,
        quoteUsd,
        volumeUsd: { m: rounded.m * quoteUsd.m, s: rounded.s + quoteUsd.s },
        baseUsdNumber: decToDouble({ m: priceNative.m * quoteUsd.m, s: priceNative.s + quoteUsd.s }),
      });
    }
    return trades;
  }
}

/** Transaction hash of a trade (derived on demand; not kept in memory). */
export function tradeTxHash(seedHash: number, trade: SimTrade): string {
  const rng = Rng.fromInts(seedHash, trade.pool.key, trade.window, trade.seq, 0x7a);
  return trade.pool.network.addressStyle === 'base58' ? rng.chars(BASE58, 88) : `0x${rng.chars(HEX, 64)}`;
}

/** Address of the wallet that sent a trade. */
export function walletAddress(seedHash: number, pool: SimPool, wallet: number): string {
  const rng = Rng.fromInts(seedHash, pool.key, wallet, 0xa11e7);
  return pool.network.addressStyle === 'base58' ? rng.chars(BASE58, 44) : `0x${rng.chars(HEX, 40)}`;
}

export function tradeId(seedHash: number, trade: SimTrade, txHash = tradeTxHash(seedHash, trade)): string {
  return `${trade.pool.network.id}_${trade.blockNumber}_${txHash}_${trade.logIndex}_${trade.ts}`;
}
