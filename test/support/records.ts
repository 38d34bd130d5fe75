/** Deterministic domain records for store tests and benchmarks. */
import type { CandleRecord, PoolRecord, TradeRecord } from '../../src/lib/records.ts';

/** A decimal string derived from integers, with as many fraction digits as the API sends. */
export function decimal(whole: number, fraction: number, digits = 18): string {
  return `${whole}.${String(fraction).padStart(digits, '0').slice(0, digits)}`;
}

/** Pool `i` as seen at `version` (a later version changes prices, reserve and name). */
export function makePool(i: number, version = 0, network = 'solana'): PoolRecord {
  const v = version;
  return {
    id: `${network}_pool${i}`,
    network,
    address: `pool${i}`,
    name: `TOK${i} / SOL v${v}`,
    dexId: i % 2 ? 'raydium' : 'pumpswap',
    baseTokenId: `${network}_base${i}`,
    quoteTokenId: `${network}_So11111111111111111111111111111111111111112`,
    baseTokenPriceUsd: decimal(i % 7, i * 7919 + v * 104729),
    quoteTokenPriceUsd: decimal(150 + v, 123456789 + i),
    baseTokenPriceNativeCurrency: decimal(0, i * 31 + v + 1),
    quoteTokenPriceNativeCurrency: '1.0',
    baseTokenPriceQuoteToken: decimal(0, i * 17 + v + 1, 12),
    quoteTokenPriceBaseToken: decimal(i + 1, v, 6),
    reserveInUsd: decimal(10_000 + i * 13 + v, 4321, 4),
    fdvUsd: decimal(1_000_000 + i, v, 2),
    marketCapUsd: i % 5 === 0 ? null : decimal(900_000 + i, v, 2),
    volumeUsdH24: decimal(50_000 + i + v, 77, 6),
    priceChangeH24: `${i % 3 === 0 ? '-' : ''}${i % 50}.${v % 10}5`,
    transactionsH24: (i * 37 + v) % 7000,
    priceChangePercentage: { m5: `${v % 10}.1`, h1: '-0.5', h24: `${i % 50}.${v % 10}` },
    volumeUsd: { m5: decimal(i, v, 4), h24: decimal(50_000 + i + v, 77, 6) },
    transactions: { m5: { buys: v % 9, sells: i % 9, buyers: 1, sellers: 2 }, h24: { buys: i, sells: v } },
    poolCreatedAt: 1_700_000_000 + i,
    updatedAt: 1_750_000_000 + v,
  };
}

export function makeTrade(i: number, poolId = 'solana_pool1'): TradeRecord {
  return {
    id: `solana_${poolId}_trade${i}`,
    poolId,
    blockNumber: 300_000_000 + i,
    blockTimestamp: 1_750_000_000 + i,
    txHash: `sig${i}`.padEnd(88, 'x'),
    txFromAddress: `wallet${i % 97}`,
    kind: i % 2 ? 'buy' : 'sell',
    fromTokenAmount: decimal(i % 1000, i * 13, 9),
    toTokenAmount: decimal(i % 333, i * 7, 6),
    priceFromInCurrencyToken: decimal(0, i + 1),
    priceToInCurrencyToken: decimal(1, i + 2),
    priceFromInUsd: decimal(0, i * 3 + 1),
    priceToInUsd: decimal(150, i),
    volumeInUsd: decimal(i % 5000, i, 10),
    fromTokenAddress: 'So11111111111111111111111111111111111111112',
    toTokenAddress: `mint${i % 50}`,
  };
}

export function makeCandle(i: number, poolId = 'solana_pool1', version = 0): CandleRecord {
  return {
    poolId,
    timeframe: '5m',
    ts: 1_750_000_000 - (1_750_000_000 % 300) + i * 300,
    open: decimal(1, i * 11 + version),
    high: decimal(2, i * 13 + version),
    low: decimal(0, i * 5 + version + 1),
    close: decimal(1, i * 17 + version),
    volumeUsd: decimal(i * 3 + version, 5, 4),
    flags: 0,
  };
}
