import { decAtScale, decDiv, decFromDoublePrecision, decMul, type Dec } from './decimal.ts';
import { BASE58, HEX, Rng, gaussianFromHash, hashInts, hashString } from './prng.ts';
import type { SimPool, SimToken } from './universe.ts';
import { walkPrice } from './walk.ts';

/**
 * Trades, generated lazily per pool and per one-hour window from (seed, pool, window index):
 * arrivals are a Poisson process at the pool's rate (modulated hour by hour), prices follow the
 * tokens' walks. A bounded LRU keeps recently used windows, so memory stays flat however long
 * the simulation runs.
 */
export const TRADE_WINDOW_MS = 3_600_000;
const QUOTE_SCALE = 45;
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
  baseAmount: Dec;
  /** Base token price in quote tokens. */
  priceNative: Dec;
  quoteUsd: Dec;
  /** quoteAmount × quoteUsd, exact, at the pool's fixed scale (not normalised). */
  volumeUsd: Dec;
  /** priceNative × quoteUsd, exact. */
  baseUsd: Dec;
}

export class PriceModel {
  private readonly seedHash: number;

  constructor(seed: string) {
    this.seedHash = hashString(seed);
  }

  /** USD price of a token at `atMs`, as a double (model arithmetic). */
  usd(token: SimToken, atMs: number): number {
    return walkPrice(this.seedHash, token.walkKey, atMs, token.startUsd, token.sigmaPerDay);
  }

  /**
   * The quote token's USD price with 45 decimal places, as upstream writes them: 15 significant
   * digits from the walk, then digits from a hash of (token, instant). Always at scale 45, so
   * products with it have a fixed scale per pool and sum without rescaling.
   */
  quoteUsd(token: SimToken, atMs: number, usd = this.usd(token, atMs)): Dec {
    const head = decFromDoublePrecision(usd, 15);
    const tailDigits = Math.max(0, QUOTE_SCALE - head.s);
    let tail = '';
    for (let i = 0; tail.length < tailDigits; i++) {
      tail += String(hashInts(this.seedHash, token.walkKey, Math.floor(atMs / 2 ** 32), atMs, i) % 1_000_000_000).padStart(9, '0');
    }
    return { m: decAtScale(head, QUOTE_SCALE).m + BigInt(tail.slice(0, tailDigits) || '0'), s: QUOTE_SCALE };
  }

  /** Base price in quote tokens, 15 significant digits. */
  priceNative(pool: SimPool, atMs: number, quoteUsd = this.usd(pool.quote, atMs)): Dec {
    return decFromDoublePrecision(this.usd(pool.base, atMs) / quoteUsd, 15);
  }

  /** Trade-rate multiplier of one window: log-normal around 1, so pools have busy and quiet hours. */
  activity(pool: SimPool, window: number): number {
    return Math.exp(0.5 * gaussianFromHash(hashInts(this.seedHash, pool.key, window, 0x5eed)) - 0.125);
  }
}

export class TradeSource {
  private readonly cache = new Map<string, SimTrade[]>();

  constructor(
    private readonly seed: string,
    private readonly prices: PriceModel,
    private readonly cacheWindows = 4000,
  ) {}

  /** Trades with fromMs <= atMs < toMs, oldest first. */
  range(pool: SimPool, fromMs: number, toMs: number): SimTrade[] {
    const out: SimTrade[] = [];
    const start = Math.max(fromMs, pool.createdAt);
    if (start >= toMs || pool.tradesPerDay <= 0) return out;
    const first = Math.floor(start / TRADE_WINDOW_MS);
    const last = Math.floor((toMs - 1) / TRADE_WINDOW_MS);
    for (let w = first; w <= last; w++) {
      for (const trade of this.window(pool, w)) if (trade.atMs >= fromMs && trade.atMs < toMs) out.push(trade);
    }
    return out;
  }

  /** The newest trade strictly before `beforeMs` (searching back to the pool's creation), if any. */
  lastBefore(pool: SimPool, beforeMs: number): SimTrade | undefined {
    if (pool.tradesPerDay <= 0) return undefined;
    const stop = Math.floor(pool.createdAt / TRADE_WINDOW_MS);
    for (let w = Math.floor((beforeMs - 1) / TRADE_WINDOW_MS); w >= stop; w--) {
      const trades = this.window(pool, w);
      for (let i = trades.length - 1; i >= 0; i--) {
        const trade = trades[i] as SimTrade;
        if (trade.atMs < beforeMs) return trade;
      }
    }
    return undefined;
  }

  window(pool: SimPool, w: number): SimTrade[] {
    const key = `${pool.id}|${w}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const trades = this.generate(pool, w);
    this.cache.set(key, trades);
    if (this.cache.size > this.cacheWindows) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return trades;
  }

  private generate(pool: SimPool, w: number): SimTrade[] {
    const trades: SimTrade[] = [];
    const windowStart = w * TRADE_WINDOW_MS;
    const windowEnd = windowStart + TRADE_WINDOW_MS;
    let t = Math.max(windowStart, pool.createdAt);
    if (t >= windowEnd || pool.tradesPerDay <= 0) return trades;
    const rng = new Rng(this.seed, pool.id, 'trades', w);
    const meanGap = DAY / (pool.tradesPerDay * this.prices.activity(pool, w));
    const { block } = pool.network;
    const quoteDecimals = Math.min(pool.quote.decimals, 9);
    for (;;) {
      t += rng.exponential(meanGap);
      if (t >= windowEnd) break;
      const atMs = Math.floor(t);
      const quoteUsdDouble = this.prices.usd(pool.quote, atMs);
      const quoteUsd = this.prices.quoteUsd(pool.quote, atMs, quoteUsdDouble);
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
        baseAmount: decDiv(rounded, priceNative, pool.base.decimals),
        priceNative,
        quoteUsd,
        volumeUsd: { m: rounded.m * quoteUsd.m, s: rounded.s + quoteUsd.s },
        baseUsd: decMul(priceNative, quoteUsd),
      });
    }
    return trades;
  }
}

/** Transaction hash of a trade (derived on demand; not kept in memory). */
export function tradeTxHash(seed: string, trade: SimTrade): string {
  const rng = new Rng(seed, trade.pool.id, 'tx', trade.window, trade.seq);
  return trade.pool.network.addressStyle === 'base58' ? rng.chars(BASE58, 88) : `0x${rng.chars(HEX, 64)}`;
}

/** Address of the wallet that sent a trade. */
export function walletAddress(seed: string, pool: SimPool, wallet: number): string {
  const rng = new Rng(seed, pool.id, 'wallet', wallet);
  return pool.network.addressStyle === 'base58' ? rng.chars(BASE58, 44) : `0x${rng.chars(HEX, 40)}`;
}

export function tradeId(seed: string, trade: SimTrade): string {
  return `${trade.pool.network.id}_${trade.blockNumber}_${tradeTxHash(seed, trade)}_${trade.logIndex}_${trade.ts}`;
}
