import type { Clock } from '../lib/clock.ts';
import type { WirePool, WireTrade } from '../api/wire-types.ts';
import { candlesBetween, TIMEFRAMES, type Currency, type SimCandle, type TimeframeName } from './candles.ts';
import { WINDOW_KEYS, WINDOWS, windowActivity, type WindowKey } from './activity.ts';
import { decFromDoublePrecision, decMul, decRound, type Dec } from './decimal.ts';
import { gaussianFromHash, hashInts, hashString } from './prng.ts';
import { renderPool, renderTrade } from './render.ts';
import { PriceModel } from './prices.ts';
import { LruCache } from './lru.ts';
import { TradeSource, volumeScale, type SimTrade } from './trades.ts';
import { Universe, type SimPool, type SimToken } from './universe.ts';

/** How the market is generated; everything observable is a function of these and the time. */
export interface MarketOptions {
  seed: string;
  networks: readonly string[];
  poolsPerNetwork: number;
  startTime: number;
  newPoolsPerHour: number;
  historyDays: number;
  /** Spread (trades per 24 h) the pools' rates are drawn from; empty = the real fixtures' spread. */
  tradeRates: readonly number[];
  hostileNames: boolean;
}

const DAY = 86_400_000;

export interface TransactionCounts {
  buys: number;
  sells: number;
  buyers: number;
  sellers: number;
}

/** A pool's market figures at one instant, exact. */
export interface PoolSnapshot {
  baseUsd: Dec;
  quoteUsd: Dec;
  priceNative: Dec;
  baseNative: Dec;
  quoteNative: Dec;
  reserveUsd: Dec;
  fdvUsd: Dec;
  marketCapUsd: Dec | null;
  priceChange: Record<WindowKey, string>;
  transactions: Record<WindowKey, TransactionCounts>;
  volumeUsd: Record<WindowKey, Dec>;
}

export interface TruthPool {
  id: string;
  network: string;
  address: string;
  name: string;
  dex: string;
  baseTokenId: string;
  quoteTokenId: string;
  /** Epoch ms. */
  createdAt: number;
  tradesPerDay: number;
}

export interface TruthToken {
  id: string;
  network: string;
  address: string;
  name: string;
  symbol: string;
  decimals: number;
  imageUrl: string | null;
  coingeckoCoinId: string | null;
}

/** Ground truth: what was (or could have been) served up to the current simulated time. */
export interface MarketTruth {
  pools(): TruthPool[];
  tokens(): TruthToken[];
  /** Every trade of a pool with fromMs <= time < toMs (and not after now), oldest first. */
  trades(poolId: string, fromMs: number, toMs: number): WireTrade[];
  /** Every candle whose interval starts in [fromMs, toMs), oldest first, values as JSON lexemes. */
  candles(poolId: string, timeframe: TimeframeName, fromMs: number, toMs: number, currency?: Currency): SimCandle[];
  /** The pool resource as the API would serve it now. */
  pool(poolId: string): WirePool | undefined;
}

export class Market {
  readonly universe: Universe;
  readonly prices: PriceModel;
  readonly trades: TradeSource;
  readonly truth: MarketTruth;
  readonly seedHash: number;
  /** Rendered trades, since a pool's trades are served again and again while in the 24 h window. */
  private readonly renderedTrades = new LruCache<WireTrade>(20_000, () => 1);

  constructor(readonly options: MarketOptions, readonly clock: Clock) {
    this.universe = new Universe(options);
    this.seedHash = hashString(options.seed);
    this.prices = new PriceModel(options.seed);
    this.trades = new TradeSource(this.seedHash, this.prices);
    this.truth = this.createTruth();
  }

  get seed(): string {
    return this.options.seed;
  }

  now(): number {
    return this.clock.now();
  }

  /** Oldest time whose candles the API still serves (about six months). */
  historyStart(now: number): number {
    return now - 183 * DAY;
  }

  /** Existing pools ranked like the API's "top pools": by liquidity and activity. */
  topPools(now: number, network?: string, dex?: string): SimPool[] {
    return this.universe
      .pools(now, network)
      .filter((p) => dex === undefined || p.dexId === dex)
      .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  }

  /** Trending: activity times a factor that changes every `bucketMs` (the `duration`). */
  trendingPools(now: number, bucketMs: number, network?: string): SimPool[] {
    const bucket = Math.floor(now / bucketMs);
    const score = (p: SimPool): number => (p.tradesPerDay + 1) * Math.exp(1.5 * gaussianFromHash(hashInts(this.seedHash, p.key, bucket, 0x7e4d)));
    return this.universe
      .pools(now, network)
      .map((pool) => ({ pool, score: score(pool) }))
      .sort((a, b) => b.score - a.score || a.pool.id.localeCompare(b.pool.id))
      .map((x) => x.pool);
  }

  /** Newest pools first. */
  newPools(now: number, network?: string): SimPool[] {
    return this.universe.pools(now, network).sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
  }

  tokenPools(now: number, token: SimToken): SimPool[] {
    return this.topPools(now, token.network).filter((p) => p.base.id === token.id || p.quote.id === token.id);
  }

  snapshot(pool: SimPool, now: number): PoolSnapshot {
    const { prices } = this;
    const quote = prices.quote(pool.quote, now);
    const quoteUsdDouble = quote.usd;
    const baseUsdDouble = prices.usd(pool.base, now);
    const nativeToken = this.universe.quoteTokens(pool.network.id)[0] as SimToken;
    const nativeUsd = prices.usd(nativeToken, now);
    const quoteUsd = quote.exact;
    const priceNative = prices.priceNative(pool, now, quoteUsdDouble);
    const isNativeQuote = pool.quote.id === nativeToken.id;
    const baseUsd = decMul(priceNative, quoteUsd);
    const fdvUsd = decRound(decMul(baseUsd, decFromDoublePrecision(pool.base.totalSupply, 15)), 5);
    const share = pool.base.circulatingShare;
    const growth = Math.sqrt(baseUsdDouble / prices.usd(pool.base, pool.createdAt));
    const activity = windowActivity(this.trades, pool, now);
    const scale = volumeScale(pool, 'usd');
    const priceChange = {} as Record<WindowKey, string>;
    for (const key of WINDOW_KEYS) {
      const past = prices.usd(pool.base, Math.max(pool.createdAt, now - WINDOWS[key]));
      priceChange[key] = percent((baseUsdDouble / past - 1) * 100);
    }
    return {
      baseUsd,
      quoteUsd,
      priceNative,
      baseNative: isNativeQuote ? priceNative : decFromDoublePrecision(baseUsdDouble / nativeUsd, 15),
      quoteNative: isNativeQuote ? { m: 1n, s: 0 } : decFromDoublePrecision(quoteUsdDouble / nativeUsd, 15),
      reserveUsd: decRound(decFromDoublePrecision(pool.liquidityUsd * growth, 12), 4),
      fdvUsd,
      marketCapUsd: share === null ? null : decRound(decMul(fdvUsd, decFromDoublePrecision(share, 3)), 1),
      priceChange,
      transactions: mapWindows(activity, (a) => ({ buys: a.buys, sells: a.sells, buyers: a.buyers, sellers: a.sellers })),
      volumeUsd: mapWindows(activity, (a) => ({ m: a.volume, s: scale })),
    };
  }

  /** A trade resource as served (cached). */
  renderTrade(trade: SimTrade): WireTrade {
    const key = `${trade.pool.id}|${trade.window}|${trade.seq}`;
    const cached = this.renderedTrades.get(key);
    if (cached) return cached;
    const rendered = renderTrade(this.seedHash, trade);
    this.renderedTrades.set(key, rendered);
    return rendered;
  }

  /** A random-looking but stable request id (the OHLCV response's `data.id`). */
  uuid(...parts: (string | number)[]): string {
    const key = `${this.options.seed}|${parts.join('|')}`;
    const hex = [0, 1, 2, 3].map((i) => hashString(`${key}|${i}`).toString(16).padStart(8, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  private createTruth(): MarketTruth {
    const universe = this.universe;
    return {
      pools: () =>
        universe.pools(this.now()).map((p) => ({
          id: p.id,
          network: p.network.id,
          address: p.address,
          name: p.name,
          dex: p.dexId,
          baseTokenId: p.base.id,
          quoteTokenId: p.quote.id,
          createdAt: p.createdAt,
          tradesPerDay: p.tradesPerDay,
        })),
      tokens: () => {
        const now = this.now();
        const live = new Set(universe.pools(now).flatMap((p) => [p.base.id, p.quote.id]));
        return universe
          .tokens(now)
          .filter((t) => live.has(t.id))
          .map((t) => ({ id: t.id, network: t.network, address: t.address, name: t.name, symbol: t.symbol, decimals: t.decimals, imageUrl: t.imageUrl, coingeckoCoinId: t.coingeckoCoinId }));
      },
      trades: (poolId, fromMs, toMs) => {
        const now = this.now();
        const pool = universe.pool(poolId, now);
        if (!pool) return [];
        return this.trades.range(pool, fromMs, Math.min(toMs, now + 1)).map((t) => renderTrade(this.seedHash, t));
      },
      candles: (poolId, timeframe, fromMs, toMs, currency = 'usd') => {
        const now = this.now();
        const pool = universe.pool(poolId, now);
        if (!pool) return [];
        const from = Math.max(fromMs, this.historyStart(now));
        return candlesBetween(this.trades, pool, TIMEFRAMES[timeframe].seconds, from, toMs, now, currency);
      },
      pool: (poolId) => {
        const now = this.now();
        const pool = universe.pool(poolId, now);
        return pool ? renderPool(this, pool, now, {}) : undefined;
      },
    };
  }
}

function mapWindows<T, R>(values: Record<WindowKey, T>, map: (value: T) => R): Record<WindowKey, R> {
  return Object.fromEntries(WINDOW_KEYS.map((key) => [key, map(values[key])])) as Record<WindowKey, R>;
}

/** Percent change as the API writes it: at most 3 decimals, "0" for none. */
function percent(x: number): string {
  if (!Number.isFinite(x)) return '0';
  const rounded = Number(x.toFixed(3));
  return rounded === 0 ? '0' : String(rounded);
}
