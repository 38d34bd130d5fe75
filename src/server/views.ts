/**
 * What the HTTP API returns for runs, pools, candles and gaps: store records with times as ISO
 * strings (candles keep unix seconds, which charts want) and decimals as the exact strings stored.
 */
import type { TIMEFRAMES } from '../config/index.ts';

export interface RunView {
  id: number;
  collector: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  rowsWritten: number;
  rejected: number;
  error: string | null;
  failureClass: string | null;
}

export interface TokenView {
  id: string;
  name: string;
  symbol: string;
}

export interface PoolView {
  id: string;
  network: string;
  address: string;
  name: string;
  dexId: string | null;
  baseToken: TokenView | null;
  quoteToken: TokenView | null;
  baseTokenPriceUsd: string | null;
  reserveInUsd: string | null;
  volumeUsdH24: string | null;
  priceChangeH24: string | null;
  transactionsH24: number | null;
  poolCreatedAt: string | null;
  updatedAt: string;
  watched: boolean;
}

export interface CandleView {
  /** Candle open time, unix seconds UTC. */
  time: number;
  open: string | null;
  high: string | null;
  low: string | null;
  close: string | null;
  volumeUsd: string | null;
  flags: number;
}

export interface GapView {
  id: number;
  poolId: string;
  kind: string;
  timeframe: string | null;
  from: string;
  to: string;
  reason: string;
  detectedAt: string;
  resolvedAt: string | null;
}

export type TimeframeName = (typeof TIMEFRAMES)[number];

/** The reads the HTTP API and the dashboard need, implemented over the store in data.ts. */
export interface ServerData {
  runs(filter: { collector?: string; limit: number }): Promise<RunView[]>;
  pools(filter: { watchlist?: boolean; q?: string; limit: number }): Promise<PoolView[]>;
  pool(id: string): Promise<PoolView | undefined>;
  candles(poolId: string, timeframe: TimeframeName, limit: number): Promise<CandleView[]>;
  gaps(filter: { open?: boolean; poolId?: string; limit: number }): Promise<GapView[]>;
}
