/**
 * One OHLCV page: the candles of one pool and timeframe whose intervals start in [start, end),
 * asked for as `before_timestamp=end, limit=(end-start)/interval` (at most 1000), stored with the
 * caller's checkpoint and the run's counters in one transaction. Windows are walked oldest first,
 * so a backfill that stops half-way resumes where it stopped.
 *
 * The API skips intervals without trades. A closed interval without a candle is classified with
 * the trades gtc stored for that pool: none → an empty interval (nothing to record); some → a
 * real hole, recorded in data_gaps (merged over consecutive intervals).
 *
 * A rejected row is not stored, so the intervals it may have held are handed to the caller, which
 * fetches them again or records them as a gap: never passed over in silence.
 */
import type { CandlesPage, Timeframe } from '../api/index.ts';
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

/** Intervals [from, to) of one pool and timeframe, with why they are not stored. */
export interface Span {
  from: number;
  to: number;
  reason: string;
}

/** What one window's answer was, as its checkpoint sees it (inside the page's transaction). */
export interface WindowPage {
  /** The time the request was made: what the answer is known to be complete up to. */
  at: number;
  /** False when the API does not know the pool (404). */
  found: boolean;
  /** Intervals that held a rejected row, oldest first: their candles are not stored. */
  rejected: Span[];
  /** Closed intervals without a candle although gtc stored trades in them (recorded as gaps). */
  holes: number;
}

export interface WindowResult extends WindowPage {
  candles: number;
}

/**
 * Fetches and stores one window. `checkpoint` runs inside the page's transaction (the caller's
 * resume point, claim bookkeeping, what to do about rejected rows).
 */
export async function fetchWindow(
  deps: CollectorDeps,
  ctx: RunContext,
  tally: RunTally,
  ref: PoolRef,
  timeframe: Timeframe,
  window: { start: number; end: number; limit: number },
  checkpoint: (tx: WriteTx, page: WindowPage) => Promise<void>,
): Promise<WindowResult> {
  const at = nowSeconds(deps);
  const page = await deps.api.ohlcv(ref.network, ref.address, timeframe, { before: window.end, limit: window.limit, signal: ctx.signal, ...(ctx.startCallsBy === undefined ? {} : { startBy: ctx.startCallsBy }) });
  tally.apiCalls += 1;
  const source = `ohlcv ${ref.id} ${timeframe} ${new Date(window.start * 1000).toISOString()}`;
  if (page === null) {
    const missing: WindowPage = { at, found: false, rejected: [], holes: 0 };
    await commitPage(deps, ctx, tally, { source, rejected: [] }, async (tx) => {
      await checkpoint(tx, missing);
      return 0;
    });
    return { ...missing, candles: 0 };
  }
  const candles: CandleRecord[] = page.candles.filter((c) => c.ts >= window.start && c.ts < window.end);
  const closedEnd = Math.min(window.end, intervalStart(at, timeframe));
  const gaps = await classifyMissing(deps, ref.id, timeframe, window.start, closedEnd, new Set(candles.map((c) => c.ts)), at);
  tally.count('emptyIntervals', gaps.empty);
  tally.count('holes', gaps.holes.length);
  const answer: WindowPage = { at, found: true, rejected: rejectedSpans(page.rejected, timeframe, window), holes: gaps.holes.length };
  await commitPage(deps, ctx, tally, { source, rejected: page.rejected }, async (tx) => {
    let rows = await tx.candles.upsert(candles);
    rows += await tx.gaps.insert(gaps.holes);
    await checkpoint(tx, answer);
    return rows;
  });
  return { ...answer, candles: candles.length };
}

/**
 * The intervals of the window that rejected rows may have held, merged, oldest first: a row's own
 * interval when its timestamp is readable, else the intervals between the valid rows around it.
 */
export function rejectedSpans(rejected: CandlesPage['rejected'], timeframe: Timeframe, window: { start: number; end: number }): Span[] {
  const size = TIMEFRAME_SECONDS[timeframe];
  const spans: Span[] = [];
  for (const row of rejected) {
    const own = row.ts === undefined ? undefined : intervalStart(row.ts, timeframe);
    const from = Math.max(window.start, own ?? (row.olderTs === undefined ? window.start : intervalStart(row.olderTs, timeframe) + size));
    const to = Math.min(window.end, own === undefined ? (row.newerTs === undefined ? window.end : intervalStart(row.newerTs, timeframe)) : own + size);
    if (from < to) spans.push({ from, to, reason: row.reason });
  }
  spans.sort((a, b) => a.from - b.from);
  const merged: Span[] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span.from <= last.to) last.to = Math.max(last.to, span.to);
    else merged.push({ ...span });
  }
  return merged;
}

/** The data_gaps row for intervals whose candle the API kept serving invalid. */
export function rejectedGap(poolId: string, timeframe: Timeframe, span: Span, attempts: number, at: number): DataGapRecord {
  const times = attempts === 1 ? 'once' : `${attempts} times in a row`;
  return { poolId, kind: 'ohlcv', timeframe, fromTs: span.from, toTs: span.to, reason: `rejected: the API served an invalid ${timeframe} candle here ${times} (${span.reason})`, detectedAt: at };
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
