/**
 * Domain records: what collectors hand to the store and what reads return (camelCase). Decimals
 * are strings exactly as the API sent them (null for missing or "NaN"); times are epoch SECONDS.
 * Shapes follow notes/domain.md; TypeScript's structural typing lets the API layer declare the
 * same shapes without importing this file.
 */

/** A decimal string such as "0.000012345"; "NaN", "" and undefined are stored as NULL. */
export type DecimalString = string | null;

export interface NetworkRecord {
  id: string;
  name: string;
  coingeckoAssetPlatformId: string | null;
}

export interface DexRecord {
  id: string;
  network: string;
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
  dexId: string | null;
  baseTokenId: string | null;
  quoteTokenId: string | null;
  baseTokenPriceUsd: DecimalString;
  quoteTokenPriceUsd: DecimalString;
  baseTokenPriceNativeCurrency: DecimalString;
  quoteTokenPriceNativeCurrency: DecimalString;
  baseTokenPriceQuoteToken: DecimalString;
  quoteTokenPriceBaseToken: DecimalString;
  reserveInUsd: DecimalString;
  fdvUsd: DecimalString;
  marketCapUsd: DecimalString;
  volumeUsdH24: DecimalString;
  priceChangeH24: DecimalString;
  transactionsH24: number | null;
  priceChangePercentage: Record<string, string | null>;
  volumeUsd: Record<string, string | null>;
  transactions: Record<string, TransactionCounts>;
  poolCreatedAt: number | null;
  updatedAt: number;
}

export type SnapshotSource = 'top-pools' | 'new-pools' | 'watchlist' | (string & {});

export interface PoolSnapshotRecord {
  poolId: string;
  observedAt: number;
  source: SnapshotSource;
  baseTokenPriceUsd: DecimalString;
  quoteTokenPriceUsd: DecimalString;
  reserveInUsd: DecimalString;
  fdvUsd: DecimalString;
  marketCapUsd: DecimalString;
  volumeUsdH24: DecimalString;
  transactionsH24: number | null;
  priceChangeH24: DecimalString;
}

export interface WatchlistRecord {
  poolId: string;
  active: boolean;
  source: 'manual' | 'discovery';
  score: DecimalString;
  addedAt: number;
  updatedAt: number;
  symbol: string | null;
  name: string | null;
  note: string | null;
  belowSince: number | null;
}

export interface TradeRecord {
  id: string;
  poolId: string;
  blockNumber: number | null;
  blockTimestamp: number;
  txHash: string;
  txFromAddress: string;
  kind: 'buy' | 'sell';
  fromTokenAmount: DecimalString;
  toTokenAmount: DecimalString;
  priceFromInCurrencyToken: DecimalString;
  priceToInCurrencyToken: DecimalString;
  priceFromInUsd: DecimalString;
  priceToInUsd: DecimalString;
  volumeInUsd: DecimalString;
  fromTokenAddress: string;
  toTokenAddress: string;
}

export type CandleTimeframe = '1m' | '5m' | '15m' | '1h' | '4h' | '12h' | '1d';

/** Candle flag bits. */
export const CANDLE_FLAGS = { openOutsideRange: 1, closeOutsideRange: 2, duplicateTimestamp: 4 } as const;

export interface CandleRecord {
  poolId: string;
  timeframe: CandleTimeframe;
  ts: number;
  open: DecimalString;
  high: DecimalString;
  low: DecimalString;
  close: DecimalString;
  volumeUsd: DecimalString;
  flags: number;
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
