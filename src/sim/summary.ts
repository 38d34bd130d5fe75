import { decToDouble } from './decimal.ts';
import type { SimTrade } from './trades.ts';

/**
 * Compact per-window aggregates of trades: what pool statistics and candles need, kept much
 * longer than the trades themselves (a busy hour is ~300 trades but at most 60 minute rows).
 * Every interval the API offers (1 minute … 1 day, UTC-aligned) is a union of whole minutes, so
 * candles built from minute rows equal candles built from the trades.
 */
export type Currency = 'usd' | 'token';

export interface MinuteAgg {
  /** Minute start, unix seconds. */
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Exact volume, as an integer at the pool's fixed scale (see volumeScale). */
  volume: bigint;
  count: number;
}

export interface WindowSummary {
  buys: number;
  sells: number;
  volumeUsd: bigint;
  /** Distinct wallets that bought / sold. */
  buyers: Int32Array;
  sellers: Int32Array;
  /** USD minute rows, oldest first. */
  minutes: MinuteAgg[];
  /** Per trade, oldest first (compact, for windows cut by a boundary): time, wallet × 2 + (1 if buy), exact USD volume. */
  atMs: Float64Array;
  walletKind: Int32Array;
  volumes: bigint[];
}

/** Minute rows of trades given oldest first: prices as doubles of the exact values, volume exact. */
export function minuteAggs(trades: readonly SimTrade[], currency: Currency): MinuteAgg[] {
  const rows: MinuteAgg[] = [];
  let row: MinuteAgg | undefined;
  for (const trade of trades) {
    const price = currency === 'usd' ? trade.baseUsdNumber : decToDouble(trade.priceNative);
    const volume = currency === 'usd' ? trade.volumeUsd.m : trade.quoteAmount.m;
    const ts = Math.floor(trade.atMs / 60_000) * 60;
    if (row?.ts !== ts) {
      row = { ts, open: price, high: price, low: price, close: price, volume: 0n, count: 0 };
      rows.push(row);
    }
    row.close = price;
    if (price > row.high) row.high = price;
    if (price < row.low) row.low = price;
    row.volume += volume;
    row.count += 1;
  }
  return rows;
}

export function summarize(trades: readonly SimTrade[]): WindowSummary {
  let buys = 0;
  let sells = 0;
  let volumeUsd = 0n;
  const buyers = new Set<number>();
  const sellers = new Set<number>();
  for (const trade of trades) {
    if (trade.kind === 'buy') {
      buys += 1;
      buyers.add(trade.wallet);
    } else {
      sells += 1;
      sellers.add(trade.wallet);
    }
    volumeUsd += trade.volumeUsd.m;
  }
  return {
    buys,
    sells,
    volumeUsd,
    buyers: Int32Array.from(buyers),
    sellers: Int32Array.from(sellers),
    minutes: minuteAggs(trades, 'usd'),
    atMs: Float64Array.from(trades, (t) => t.atMs),
    walletKind: Int32Array.from(trades, (t) => t.wallet * 2 + (t.kind === 'buy' ? 1 : 0)),
    volumes: trades.map((t) => t.volumeUsd.m),
  };
}

/** Cost of keeping a summary, in rough units of 64 bytes. */
export function summaryUnits(summary: WindowSummary): number {
  return 2 + summary.minutes.length * 2 + summary.atMs.length + Math.ceil((summary.buyers.length + summary.sellers.length) / 16);
}
