/**
 * Compares a database with the simulator's ground truth: every candle of every watched pool and
 * timeframe up to each unit's checkpoint, and every trade since a pool's first poll up to its
 * last one, either stored (byte-exact) or inside a recorded trades gap of that pool.
 */
import type { Timeframe } from '../../../src/api/index.ts';
import { OHLCV_CHECKPOINT, ohlcvCheckpointKey, parseUnitState } from '../../../src/collectors/ohlcv.ts';
import { parsePollState } from '../../../src/collectors/trade-poll-plan.ts';
import { TRADES_CHECKPOINT } from '../../../src/collectors/trades.ts';
import type { MarketTruth } from '../../../src/sim/index.ts';
import type { Store } from '../../../src/store/index.ts';

export interface CandleCheck {
  units: number;
  /** Candles the API served in the checked ranges. */
  expected: number;
  /** Of those, stored with identical values. */
  matched: number;
  /** Not stored, inside a recorded ohlcv gap of that pool and timeframe (recorded, so not lost). */
  inGaps: number;
  /** Stored candles the API never served (or with other values). */
  wrong: string[];
  /** Units whose checkpoint lags the end by more than `lagS`. */
  lagging: string[];
}

/** Candles in [fromS, unit checkpoint) for every pool × timeframe. */
export async function checkCandles(store: Store, truth: MarketTruth, pools: readonly string[], timeframes: readonly Timeframe[], fromS: (tf: Timeframe) => number, endS: number, lagS: (tf: Timeframe) => number): Promise<CandleCheck> {
  const result: CandleCheck = { units: 0, expected: 0, matched: 0, inGaps: 0, wrong: [], lagging: [] };
  const checkpoints = new Map((await store.read.checkpoints.list(OHLCV_CHECKPOINT)).map((c) => [c.key, parseUnitState(c.value)]));
  const allGaps = await store.read.gaps.list({ kind: 'ohlcv' });
  for (const poolId of pools) {
    for (const tf of timeframes) {
      result.units += 1;
      const state = checkpoints.get(ohlcvCheckpointKey(poolId, tf));
      const upTo = state?.from ?? fromS(tf);
      if (endS - upTo > lagS(tf)) result.lagging.push(`${poolId} ${tf} at ${new Date(upTo * 1000).toISOString()}`);
      const served = truth.candles(poolId, tf, fromS(tf) * 1000, upTo * 1000);
      const stored = await store.read.candles.range(poolId, tf, { fromTs: fromS(tf), toTs: upTo - 1 });
      const byTs = new Map(stored.map((c) => [c.ts, c]));
      const gaps = allGaps.filter((g) => g.poolId === poolId && g.timeframe === tf);
      result.expected += served.length;
      for (const candle of served) {
        const row = byTs.get(candle.ts);
        byTs.delete(candle.ts);
        if (!row && gaps.some((g) => g.fromTs <= candle.ts && candle.ts < g.toTs)) result.inGaps += 1;
        else if (row && row.open === candle.open && row.high === candle.high && row.low === candle.low && row.close === candle.close && row.volumeUsd === candle.volume) result.matched += 1;
        else result.wrong.push(`${poolId} ${tf} ${candle.ts}: stored ${JSON.stringify(row ?? null)} served ${JSON.stringify(candle)}`);
      }
      for (const extra of byTs.values()) result.wrong.push(`${poolId} ${tf} ${extra.ts}: stored but never served`);
    }
  }
  return result;
}

export interface TradeCheck {
  /** Trades the API held for the watched pools over the collected spans. */
  expected: number;
  stored: number;
  /** Missing trades that no gap covers. */
  uncovered: string[];
  /** Missing trades a gap covers. */
  inGaps: number;
  /** Gaps without any missing trade inside. */
  emptyGaps: string[];
  /** Stored trades the API never served, or stored with other values. */
  wrong: string[];
  gaps: number;
}

export async function checkTrades(store: Store, truth: MarketTruth, pools: readonly string[]): Promise<TradeCheck> {
  const result: TradeCheck = { expected: 0, stored: 0, uncovered: [], inGaps: 0, emptyGaps: [], wrong: [], gaps: 0 };
  const states = new Map((await store.read.checkpoints.list(TRADES_CHECKPOINT)).map((c) => [c.key, parsePollState(c.value)]));
  const allGaps = await store.read.gaps.list({ kind: 'trades' });
  for (const poolId of pools) {
    const state = states.get(poolId);
    if (!state || state.since === null || state.lastPollAt === null) continue;
    const served = truth.trades(poolId, state.since * 1000, state.lastPollAt * 1000);
    const stored = new Map((await store.read.trades.range(poolId, { fromTs: state.since, toTs: state.lastPollAt - 1 })).map((t) => [t.id, t]));
    const gaps = allGaps.filter((g) => g.poolId === poolId);
    result.gaps += gaps.length;
    const gapHits = new Map(gaps.map((g) => [g.id, 0]));
    result.expected += served.length;
    for (const trade of served) {
      const row = stored.get(trade.id);
      stored.delete(trade.id);
      if (row) {
        result.stored += 1;
        if (row.volumeInUsd !== trade.attributes.volume_in_usd || row.priceToInUsd !== trade.attributes.price_to_in_usd || row.txHash !== trade.attributes.tx_hash) result.wrong.push(`${trade.id}: values differ`);
        continue;
      }
      const ts = Math.floor(Date.parse(trade.attributes.block_timestamp) / 1000);
      const gap = gaps.find((g) => g.fromTs <= ts && ts <= g.toTs);
      if (gap) {
        result.inGaps += 1;
        gapHits.set(gap.id, (gapHits.get(gap.id) ?? 0) + 1);
      } else result.uncovered.push(`${poolId} ${trade.id} at ${trade.attributes.block_timestamp}`);
    }
    for (const extra of stored.keys()) result.wrong.push(`${extra}: stored but never served`);
    for (const gap of gaps) if (gapHits.get(gap.id) === 0) result.emptyGaps.push(`${poolId} ${gap.fromTs}..${gap.toTs}`);
  }
  return result;
}
