/**
 * `gtc backfill ohlcv`: extends the stored history of pools × one timeframe back `days` days,
 * page by page (1000 intervals each, oldest first) through the shared rate limiter. Each page
 * commits its candles with the backfill's checkpoint (`ohlcv-backfill` / `${poolId}|${tf}`:
 * `{from, to, next}`), so a backfill that is stopped continues where it stopped when run again,
 * and one that finished is not repeated. A rejected candle's intervals become an open data gap,
 * which the ohlcv collector fetches again.
 */
import type { Timeframe } from '../api/index.ts';
import type { CollectorDeps } from './deps.ts';
import { nowSeconds } from './deps.ts';
import { OHLCV_CHECKPOINT, ohlcvCheckpointKey, parseUnitState } from './ohlcv.ts';
import { fetchWindow, intervalStart, nextWindow, rejectedGap, TIMEFRAME_SECONDS } from './ohlcv-window.ts';
import { RunTally } from './page-commit.ts';
import type { PoolRef } from './pool-ids.ts';
import type { RunContext, RunSummary } from './types.ts';

export const BACKFILL_CHECKPOINT = 'ohlcv-backfill';

export interface BackfillOptions {
  pools: readonly PoolRef[];
  timeframe: Timeframe;
  days: number;
  onProgress?: (progress: BackfillProgress) => void;
}

export interface BackfillProgress {
  pagesDone: number;
  pagesTotal: number;
  candles: number;
  poolId: string;
}

export interface BackfillResult extends RunSummary {
  pools: number;
  candles: number;
}

interface BackfillState {
  from: number;
  to: number;
  next: number;
}

interface Plan {
  ref: PoolRef;
  state: BackfillState;
  pages: number;
}

function parseState(text: string | undefined): BackfillState | null {
  if (text === undefined) return null;
  try {
    const v = JSON.parse(text) as Partial<BackfillState>;
    return typeof v.from === 'number' && typeof v.to === 'number' && typeof v.next === 'number' ? { from: v.from, to: v.to, next: v.next } : null;
  } catch {
    return null;
  }
}

/** What remains to fetch for one pool: an unfinished backfill first, else [days back, oldest stored). */
async function planPool(deps: CollectorDeps, ref: PoolRef, timeframe: Timeframe, days: number, now: number): Promise<BackfillState | null> {
  const key = ohlcvCheckpointKey(ref.id, timeframe);
  const previous = parseState((await deps.store.read.checkpoints.get(BACKFILL_CHECKPOINT, key))?.value);
  if (previous && previous.next < previous.to) return previous;
  const from = intervalStart(now - days * 86_400, timeframe);
  const oldest = await deps.store.db
    .selectFrom('ohlcv')
    .select((eb) => eb.fn.min('ts').as('ts'))
    .where('pool_id', '=', ref.id)
    .where('timeframe', '=', timeframe)
    .executeTakeFirst();
  const forward = parseUnitState((await deps.store.read.checkpoints.get(OHLCV_CHECKPOINT, key))?.value);
  const size = TIMEFRAME_SECONDS[timeframe];
  const candidates = [intervalStart(now, timeframe) + size];
  if (oldest?.ts !== null && oldest?.ts !== undefined) candidates.push(Number(oldest.ts));
  else if (forward) candidates.push(forward.from);
  if (previous) candidates.push(previous.from);
  const to = Math.min(...candidates);
  return from < to ? { from, to, next: from } : null;
}

export async function backfillOhlcv(deps: CollectorDeps, ctx: RunContext, options: BackfillOptions): Promise<BackfillResult> {
  const tally = new RunTally();
  const { timeframe } = options;
  const size = TIMEFRAME_SECONDS[timeframe];
  const now = nowSeconds(deps);
  const plans: Plan[] = [];
  for (const ref of options.pools) {
    const state = await planPool(deps, ref, timeframe, options.days, now);
    if (state) plans.push({ ref, state, pages: Math.ceil((state.to - state.next) / (size * 1000)) });
  }
  const pagesTotal = plans.reduce((sum, p) => sum + p.pages, 0);
  let pagesDone = 0;
  let candles = 0;
  for (const { ref, state } of plans) {
    const key = ohlcvCheckpointKey(ref.id, timeframe);
    let next = state.next;
    while (next < state.to) {
      ctx.signal.throwIfAborted();
      const window = nextWindow(next, timeframe, nowSeconds(deps));
      const end = Math.min(window.end, state.to);
      const result = await fetchWindow(deps, ctx, tally, ref, timeframe, { start: window.start, end, limit: (end - window.start) / size }, async (tx, page) => {
        // Rejected candles become open gaps at once: the ohlcv collector fetches those again.
        await tx.gaps.insert(page.rejected.map((span) => rejectedGap(ref.id, timeframe, span, 1, page.at)));
        await tx.checkpoints.set(BACKFILL_CHECKPOINT, key, JSON.stringify({ from: state.from, to: state.to, next: page.found ? end : state.to }), page.at);
      });
      pagesDone += 1;
      candles += result.candles;
      options.onProgress?.({ pagesDone, pagesTotal, candles, poolId: ref.id });
      if (!result.found) {
        ctx.logger.warn({ poolId: ref.id }, 'pool unknown to the API (OHLCV answered 404); skipped');
        tally.count('notFound');
        break;
      }
      next = end;
    }
  }
  return { ...tally.summary(), pools: plans.length, candles };
}
