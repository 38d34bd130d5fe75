/**
 * The domain records every layer shares: what the API client produces, what collectors hand to
 * the store, and what reads return. Decimals are byte-exact strings or null (the API's null or
 * "NaN"); times are epoch SECONDS (UTC); ids keep the API's `{network}_{address}` form.
 */

export const TIMEFRAMES = ['1m', '5m', '15m', '1h', '4h', '12h', '1d'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

/** A decimal exactly as the API wrote it, or null when the API sent null, "NaN" or nothing. */
export type Decimal = string | null;

export interface NetworkRecord {
  id: string;
  name: string;
  coingeckoAssetPlatformId: string | null;
}

export interface DexRecord {
  /** `${network}_${dexId}`. */
  id: string;
  network: string;
  /** The API's dex id, e.g. `uniswap_v2`, `pump-fun`. */
  dexId: string;
  name: string;
}

export interface TokenRecord {
  id: string;
  network: string;
  address: string;
  name: string;
  symbol: string;
  decimals: number | null;
  imageUrl: string | null;
  coingeckoCoinId: string | null;
}

/** Counts of one time window (`m5`, `h1`, `h24`, …); any of them may be missing. */
export interface TransactionCounts {
  buys?: number | null;
  sells?: number | null;
  buyers?: number | null;
  sellers?: number | null;
}

export interface PoolRecord {
  id: string;
  network: string;
  address: string;
  name: string;
  /** The API's dex id (`uniswap_v2`), not the DexRecord id; null when the pool names no dex. */
  dexId: string | null;
  baseTokenId: string | null;
  quoteTokenId: string | null;
  baseTokenPriceUsd: Decimal;
  quoteTokenPriceUsd: Decimal;
  baseTokenPriceNativeCurrency: Decimal;
  quoteTokenPriceNativeCurrency: Decimal;
  baseTokenPriceQuoteToken: Decimal;
  quoteTokenPriceBaseToken: Decimal;
  reserveInUsd: Decimal;
  fdvUsd: Decimal;
  marketCapUsd: Decimal;
  volumeUsdH24: Decimal;
  priceChangeH24: Decimal;
  /** buys + sells of the h24 window; null when the API sent neither. */
  transactionsH24: number | null;
  /** Open window maps exactly as sent (keys vary by era). */
  priceChangePercentage: Record<string, Decimal>;
  volumeUsd: Record<string, Decimal>;
  transactions: Record<string, TransactionCounts>;
  poolCreatedAt: number | null;
  /** When gtc observed this pool (epoch seconds). */
  updatedAt: number;
}

export interface TradeRecord {
  id: string;
  poolId: string;
  blockNumber: number | null;
  blockTimestamp: number;
  txHash: string;
  txFromAddress: string | null;
  kind: 'buy' | 'sell';
  fromTokenAmount: Decimal;
  toTokenAmount: Decimal;
  priceFromInCurrencyToken: Decimal;
  priceToInCurrencyToken: Decimal;
  priceFromInUsd: Decimal;
  priceToInUsd: Decimal;
  volumeInUsd: Decimal;
  fromTokenAddress: string | null;
  toTokenAddress: string | null;
}

/** Candle flag bits: suspicious candles are kept and flagged, never dropped. */
export const CANDLE_FLAGS = { openOutsideRange: 1, closeOutsideRange: 2, duplicateTimestamp: 4 } as const;

export interface CandleRecord {
  poolId: string;
  timeframe: Timeframe;
  /** Interval start, epoch seconds. */
  ts: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volumeUsd: string;
  /** Bitmask of CANDLE_FLAGS. */
  flags: number;
}

export type SnapshotSource = 'top-pools' | 'new-pools' | 'watchlist' | (string & {});

export interface PoolSnapshotRecord {
  poolId: string;
  observedAt: number;
  source: SnapshotSource;
  baseTokenPriceUsd: Decimal;
  quoteTokenPriceUsd: Decimal;
  reserveInUsd: Decimal;
  fdvUsd: Decimal;
  marketCapUsd: Decimal;
  volumeUsdH24: Decimal;
  transactionsH24: number | null;
  priceChangeH24: Decimal;
}

export interface WatchlistRecord {
  poolId: string;
  active: boolean;
  source: 'manual' | 'discovery';
  score: Decimal;
  addedAt: number;
  updatedAt: number;
  symbol: string | null;
  name: string | null;
  note: string | null;
  belowSince: number | null;
}

export interface DataGapRecord {
  poolId: string;
  kind: 'trades' | 'ohlcv';
  timeframe: string | null;
  fromTs: number;
  toTs: number;
  reason: string;
  detectedAt: number;
}
