/**
 * `ohlcv`: candles of every active watched pool × configured timeframe, forward from each unit's
 * checkpoint. A new unit starts `backfillDays` before its pool joined the watchlist; after downtime the missing range is fetched
 * page by page (1000 intervals each, oldest first, each page with its own checkpoint, so a stop
 * half-way resumes there), and the unit whose gap is oldest goes first. The newest candle is
 * still open: the checkpoint points at it, so the next fetch stores its final version.
 *
 * A unit is due again once a new candle has closed since its last fetch and the interval has
 * passed: 5m candles follow the collector's interval, 1h ones are fetched once an hour just after
 * the close, 1d once a day — what keeps hundreds of pools × 3 timeframes inside 30 calls a
 * minute. The instance ticks every third of the interval to pick up the units that are due.
 */
import type { Timeframe } from '../api/index.ts';
import type { CollectorDeps } from './deps.ts';
import { nowSeconds } from './deps.ts';
import { fetchWindow, intervalStart, nextWindow, TIMEFRAME_SECONDS } from './ohlcv-window.ts';
import { RunTally } from './page-commit.ts';
import { watchedRefs, type PoolRef } from './pool-ids.ts';
import type { CollectorInstance, RunContext } from './types.ts';
import { claimUnit, finishUnit, withClaim, type WorkUnit } from './work-claims.ts';

export const OHLCV_CHECKPOINT = 'ohlcv';
/** How far back the API serves candles (about six months). */
const HISTORY_S = 180 * 86_400;

/** Per (pool, timeframe) resume point, stored as checkpoint `ohlcv` / `${poolId}|${timeframe}`. */
export interface OhlcvUnitState {
  /** Fetch candles from this interval start on (the open candle once caught up). */
  from: number;
  fetchedAt: number | null;
  /** When the unit is due again (epoch seconds); also its claim slot. */
  due: number;
}

export interface OhlcvOptions {
  poolId?: string;
  timeframes?: readonly Timeframe[];
  /** Fetch every selected unit now, due or not (`gtc collect ohlcv`). */
  force?: boolean;
  /** Stop starting pages after this long (default 80% of recovery.runTimeout). */
  runBudgetMs?: number;
}

export function ohlcvCheckpointKey(poolId: string, timeframe: Timeframe): string {
  return `${poolId}|${timeframe}`;
}

export function parseUnitState(text: string | undefined): OhlcvUnitState | null {
  if (text === undefined) return null;
  try {
    const value = JSON.parse(text) as Partial<OhlcvUnitState>;
    return typeof value.from === 'number' && typeof value.due === 'number' ? { from: value.from, fetchedAt: value.fetchedAt ?? null, due: value.due } : null;
  } catch {
    return null;
  }
}

/**
 * The instance looks for due units every third of the configured interval: a run cut short by its
 * time budget (the rate budget binds) is followed soon, and a unit fetched late in a run is not
 * left waiting a whole interval.
 */
export function ohlcvTickMs(intervalMs: number): number {
  return Math.max(60_000, Math.floor(intervalMs / 3));
}

/**
 * When a caught-up unit may be fetched again: once the candle that was open has closed, and one
 * interval after the fetch less a tick (so the tick one interval later finds it due although the
 * fetch happened some seconds into its run).
 */
export function nextDue(fetchedAt: number, timeframe: Timeframe, intervalS: number, tickS: number): number {
  return Math.max(fetchedAt + intervalS - tickS, intervalStart(fetchedAt, timeframe) + TIMEFRAME_SECONDS[timeframe]);
}

interface Unit {
  ref: PoolRef;
  timeframe: Timeframe;
  state: OhlcvUnitState;
}

export function createOhlcvCollector(deps: CollectorDeps, options: OhlcvOptions = {}): CollectorInstance {
  const settings = deps.config.collectors.ohlcv;
  const timeframes = options.timeframes ?? settings.timeframes;
  const runBudgetMs = options.runBudgetMs ?? Math.floor(deps.config.recovery.runTimeout * 0.8);
  return {
    name: 'ohlcv',
    collector: 'ohlcv',
    intervalMs: ohlcvTickMs(settings.interval),
    dependsOn: 'api',
    async run(ctx) {
      const tally = new RunTally();
      const started = deps.clock.now();
      const overBudget = (): boolean => deps.clock.now() - started >= runBudgetMs;
      const now = nowSeconds(deps);
      const watched = (await deps.store.read.watchlist.list()).filter((w) => options.poolId === undefined || w.poolId === options.poolId);
      const { refs, unknown } = watchedRefs(watched, deps.config.networks);
      tally.count('unknownNetwork', unknown.length);
      const stored = new Map((await deps.store.read.checkpoints.list(OHLCV_CHECKPOINT)).map((c) => [c.key, parseUnitState(c.value)]));
      const addedAt = new Map(watched.map((w) => [w.poolId, w.addedAt]));
      const units: Unit[] = [];
      for (const ref of refs) {
        // A new unit starts backfillDays before the pool was added (stable if its first run is deferred).
        const fresh = Math.max(now - HISTORY_S, Math.min(now, addedAt.get(ref.id) ?? now) - settings.backfillDays * 86_400);
        for (const timeframe of timeframes) {
          const state = stored.get(ohlcvCheckpointKey(ref.id, timeframe)) ?? { from: intervalStart(fresh, timeframe), fetchedAt: null, due: 0 };
          if (options.force || state.due <= now) units.push({ ref, timeframe, state });
        }
      }
      // Oldest gap first: the unit whose missing range starts earliest.
      units.sort((a, b) => a.state.from - b.state.from || a.state.due - b.state.due || a.ref.id.localeCompare(b.ref.id) || TIMEFRAME_SECONDS[a.timeframe] - TIMEFRAME_SECONDS[b.timeframe]);
      for (const [index, unit] of units.entries()) {
        ctx.signal.throwIfAborted();
        if (overBudget()) {
          tally.count('deferred', units.length - index);
          break;
        }
        const claim: WorkUnit = { key: `ohlcv:${unit.ref.id}:${unit.timeframe}`, slot: options.force ? now : unit.state.due };
        if (!(await claimUnit(deps, claim))) {
          tally.count('claimedElsewhere');
          continue;
        }
        await withClaim(deps, claim, () => collectUnit(deps, ctx, tally, unit, claim, overBudget));
      }
      return tally.summary();
    },
  };
}

/** Fetches a unit's windows oldest first until it reaches now (or the run's time is used). */
async function collectUnit(deps: CollectorDeps, ctx: RunContext, tally: RunTally, unit: Unit, claim: WorkUnit, overBudget: () => boolean): Promise<void> {
  const intervalMs = deps.config.collectors.ohlcv.interval;
  const intervalS = Math.round(intervalMs / 1000);
  const tickS = Math.round(ohlcvTickMs(intervalMs) / 1000);
  const size = TIMEFRAME_SECONDS[unit.timeframe];
  const key = ohlcvCheckpointKey(unit.ref.id, unit.timeframe);
  let from = unit.state.from;
  for (;;) {
    ctx.signal.throwIfAborted();
    const window = nextWindow(from, unit.timeframe, nowSeconds(deps));
    const stop = window.reachesNow || overBudget();
    const result = await fetchWindow(deps, ctx, tally, unit.ref, unit.timeframe, window, async (tx, at, found) => {
      // Caught up (or the pool is unknown): due again later, from the candle that was open when
      // fetched, so its final version is stored next time. Not yet: due at once, from the window's end.
      const state: OhlcvUnitState = window.reachesNow || !found
        ? { from: found ? window.end - size : from, fetchedAt: at, due: nextDue(at, unit.timeframe, intervalS, tickS) }
        : { from: window.end, fetchedAt: at, due: at };
      await tx.checkpoints.set(OHLCV_CHECKPOINT, key, JSON.stringify(state), at);
      if (stop || !found) await finishUnit(tx, deps, claim, at);
    });
    if (!result.found) {
      ctx.logger.warn({ poolId: unit.ref.id }, 'watched pool unknown to the API (OHLCV answered 404)');
      tally.count('notFound');
      return;
    }
    if (stop) return;
    from = window.end;
  }
}
