/**
 * One OHLCV page: the candles of one pool and timeframe whose intervals start in [start, end),
 * asked for as `before_timestamp=end, limit=(end-start)/interval` (at most 1000), stored with the
 * caller's checkpoint and the run's counters in one transaction. Windows are walked oldest first,
 * so a backfill that stops half-way resumes where it stopped.
 *
 * The API skips intervals without trades. A closed interval without a candle is classified with
 * the trades gtc stored for that pool: none → an empty interval (nothing to record); some → a
 * real hole, recorded in data_gaps (merged over consecutive intervals).
 */
import type { Timeframe } from '../api/index.ts';
import { OHLCV_MAX_LIMIT } from '../api/index.ts';
import type { CandleRecord, DataGapRecord, WriteTx } from '../store/index.ts';
import type { CollectorDeps } from './deps.ts';
import { nowSeconds } from './deps.ts';
import { commitPage, type RunTally } from './page-commit.ts';
import type { PoolRef } from './pool-ids.ts';
import type { RunContext } from './types.ts';

export const TIMEFRAME_SECONDS: Record<Timeframe, number> = { '1m': 60, '5m': 300, '15m': 900, '1h': 3600, '4h': 14_400, '12h': 43_200, '1d': 86_400 };

/** Start of the interval that contains `ts`. */
export function intervalStart(ts: number, timeframe: Timeframe): number {
  const size = TIMEFRAME_SECONDS[timeframe];
  return Math.floor(ts / size) * size;
}

/** The next window to fetch from `from`: at most 1000 intervals, up to and including the open one. */
export function nextWindow(from: number, timeframe: Timeframe, now: number): { start: number; end: number; limit: number; reachesNow: boolean } {
  const size = TIMEFRAME_SECONDS[timeframe];
  const start = intervalStart(from, timeframe);
  const openEnd = intervalStart(now, timeframe) + size;
  const end = Math.min(start + OHLCV_MAX_LIMIT * size, Math.max(openEnd, start + size));
  return { start, end, limit: (end - start) / size, reachesNow: end >= openEnd };
}

export interface WindowResult {
  /** False when the API does not know the pool (404). */
  found: boolean;
  candles: number;
  holes: number;
}

/**
 * Fetches and stores one window. `checkpoint` runs inside the page's transaction (the caller's
 * resume point and claim bookkeeping) with the time the request was made; `found` is false when
 * the API does not know the pool.
 */
export async function fetchWindow(
  deps: CollectorDeps,
  ctx: RunContext,
  tally: RunTally,
  ref: PoolRef,
  timeframe: Timeframe,
  window: { start: number; end: number; limit: number },
  checkpoint: (tx: WriteTx, at: number, found: boolean) => Promise<void>,
): Promise<WindowResult> {
  // The time the request was made: what the answer is known to be complete up to.
  const at = nowSeconds(deps);
  const page = await deps.api.ohlcv(ref.network, ref.address, timeframe, { before: window.end, limit: window.limit, signal: ctx.signal });
  tally.apiCalls += 1;
  const source = `ohlcv ${ref.id} ${timeframe} ${new Date(window.start * 1000).toISOString()}`;
  if (page === null) {
    await commitPage(deps, ctx, tally, { source, rejected: [] }, async (tx) => {
      await checkpoint(tx, at, false);
      return 0;
    });
    return { found: false, candles: 0, holes: 0 };
  }
  const candles: CandleRecord[] = page.candles.filter((c) => c.ts >= window.start && c.ts < window.end);
  const closedEnd = Math.min(window.end, intervalStart(at, timeframe));
  const gaps = await classifyMissing(deps, ref.id, timeframe, window.start, closedEnd, new Set(candles.map((c) => c.ts)), at);
  tally.count('emptyIntervals', gaps.empty);
  tally.count('holes', gaps.holes.length);
  await commitPage(deps, ctx, tally, { source, rejected: page.rejected }, async (tx) => {
    let rows = await tx.candles.upsert(candles);
    rows += await tx.gaps.insert(gaps.holes);
    await checkpoint(tx, at, true);
    return rows;
  });
  return { found: true, candles: candles.length, holes: gaps.holes.length };
}

/** Closed intervals in [from, to) without a candle: empty ones counted, holes as merged gap rows. */
async function classifyMissing(deps: CollectorDeps, poolId: string, timeframe: Timeframe, from: number, to: number, present: Set<number>, at: number): Promise<{ empty: number; holes: DataGapRecord[] }> {
  const size = TIMEFRAME_SECONDS[timeframe];
  const missing: number[] = [];
  for (let ts = from; ts < to; ts += size) if (!present.has(ts)) missing.push(ts);
  if (missing.length === 0) return { empty: 0, holes: [] };
  const rows = await deps.store.db
    .selectFrom('trades')
    .select('block_timestamp')
    .where('pool_id', '=', poolId)
    .where('block_timestamp', '>=', from)
    .where('block_timestamp', '<', to)
    .execute();
  const traded = new Map<number, number>();
  for (const row of rows) {
    const start = intervalStart(Number(row.block_timestamp), timeframe);
    traded.set(start, (traded.get(start) ?? 0) + 1);
  }
  const holes: DataGapRecord[] = [];
  let empty = 0;
  for (const ts of missing) {
    const trades = traded.get(ts) ?? 0;
    if (trades === 0) {
      empty += 1;
      continue;
    }
    const last = holes[holes.length - 1];
    if (last && last.toTs === ts) {
      last.toTs = ts + size;
      continue;
    }
    holes.push({ poolId, kind: 'ohlcv', timeframe, fromTs: ts, toTs: ts + size, reason: `the API served no ${timeframe} candle for intervals in which gtc stored trades`, detectedAt: at });
  }
  return { empty, holes };
}
