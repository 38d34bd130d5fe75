/**
 * `ohlcv`: candles of every active watched pool × configured timeframe, forward from each unit's
 * checkpoint. A new unit starts `backfillDays` before its pool joined the watchlist; after downtime the missing range is fetched
 * page by page (1000 intervals each, oldest first, each page with its own checkpoint, so a stop
 * half-way resumes there), and the unit whose gap is oldest goes first. The newest candle is
 * still open: the checkpoint points at it, so the next fetch stores its final version.
 *
 * A candle the API served invalid (rejected, counted, logged) is asked for again: the checkpoint
 * does not pass its interval, so the next fetch covers it. After REJECTED_ATTEMPTS fetches in a
 * row rejected it, its intervals become an open data_gaps row and the checkpoint moves on. A
 * unit's open OHLCV gaps (these, and holes) are fetched again oldest first, backing off while none
 * closes; a gap whose span comes back complete is resolved.
 *
 * A unit is due again once a new candle has closed since its last fetch and the interval has
 * passed: 5m candles follow the collector's interval, 1h ones are fetched once an hour just after
 * the close, 1d once a day — what keeps hundreds of pools × 3 timeframes inside 30 calls a
 * minute. The instance ticks every third of the interval to pick up the units that are due.
 */
import { OHLCV_MAX_LIMIT, StartByPassedError, type Timeframe } from '../api/index.ts';
import type { DataGap } from '../store/index.ts';
import type { CollectorDeps } from './deps.ts';
import { nowSeconds } from './deps.ts';
import { fetchWindow, intervalStart, nextWindow, rejectedGap, TIMEFRAME_SECONDS, type Span, type WindowPage } from './ohlcv-window.ts';
import { RunTally } from './page-commit.ts';
import { watchedRefs, type PoolRef } from './pool-ids.ts';
import type { CollectorInstance, RunContext } from './types.ts';
import { claimUnit, finishUnit, withClaim, type WorkUnit } from './work-claims.ts';

export const OHLCV_CHECKPOINT = 'ohlcv';
/** How far back the API serves candles (about six months). */
const HISTORY_S = 180 * 86_400;
/** Fetches in a row that may reject the same candle before its interval is recorded as a gap. */
export const REJECTED_ATTEMPTS = 3;
/** The longest wait between two retries of a unit's open gaps (longer for the 1d timeframe). */
const GAP_RETRY_MAX_S = 86_400;

/** Per (pool, timeframe) resume point, stored as checkpoint `ohlcv` / `${poolId}|${timeframe}`. */
export interface OhlcvUnitState {
  /** Fetch candles from this interval start on (the open candle once caught up). */
  from: number;
  fetchedAt: number | null;
  /** When the unit is due again (epoch seconds); also its claim slot. */
  due: number;
  /**
   * The oldest interval whose candle was rejected and is not stored, and how many fetches in a
   * row rejected it: `from` stays at or before it, so the next fetch asks for it again.
   */
  rejected?: Retry;
  /** When the unit's open gaps are fetched again, and how many retries in a row closed none. */
  gapRetry?: { attempts: number; due: number };
}

interface Retry {
  from: number;
  attempts: number;
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
    if (typeof value.from !== 'number' || typeof value.due !== 'number') return null;
    const state: OhlcvUnitState = { from: value.from, fetchedAt: value.fetchedAt ?? null, due: value.due };
    if (isRetry(value.rejected)) state.rejected = { from: value.rejected.from, attempts: value.rejected.attempts };
    const gapRetry = value.gapRetry;
    if (typeof gapRetry?.attempts === 'number' && typeof gapRetry.due === 'number') state.gapRetry = { attempts: gapRetry.attempts, due: gapRetry.due };
    return state;
  } catch {
    return null;
  }
}

function isRetry(value: unknown): value is Retry {
  return typeof value === 'object' && value !== null && typeof (value as Retry).from === 'number' && typeof (value as Retry).attempts === 'number';
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
      // No call starts past the budget: one still waiting for API budget then is not sent.
      const budgeted: RunContext = { ...ctx, startCallsBy: started + runBudgetMs };
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
        try {
          await withClaim(deps, claim, () => collectUnit(deps, budgeted, tally, unit, claim, overBudget));
        } catch (error) {
          if (!(error instanceof StartByPassedError)) throw error;
          tally.count('deferred', units.length - index);
          break;
        }
      }
      return tally.summary();
    },
  };
}

/**
 * Retries the unit's open gaps, then fetches its windows oldest first until it reaches now (or
 * the run's time is used).
 */
async function collectUnit(deps: CollectorDeps, ctx: RunContext, tally: RunTally, unit: Unit, claim: WorkUnit, overBudget: () => boolean): Promise<void> {
  const intervalMs = deps.config.collectors.ohlcv.interval;
  const timing = { intervalS: Math.round(intervalMs / 1000), tickS: Math.round(ohlcvTickMs(intervalMs) / 1000) };
  const key = ohlcvCheckpointKey(unit.ref.id, unit.timeframe);
  let state = await retryGaps(deps, ctx, tally, unit, overBudget);
  let from = state.from;
  for (;;) {
    ctx.signal.throwIfAborted();
    const window = nextWindow(from, unit.timeframe, nowSeconds(deps));
    const stop = window.reachesNow || overBudget();
    const before = state;
    let after = { state, gaps: 0 };
    const result = await fetchWindow(deps, ctx, tally, unit.ref, unit.timeframe, window, async (tx, page) => {
      const next = afterWindow(before, window, page, unit.timeframe, timing);
      const gaps = await tx.gaps.insert(next.gaps.map((span) => rejectedGap(unit.ref.id, unit.timeframe, span, REJECTED_ATTEMPTS, page.at)));
      await tx.checkpoints.set(OHLCV_CHECKPOINT, key, JSON.stringify(next.state), page.at);
      if (stop || !page.found) await finishUnit(tx, deps, claim, page.at);
      after = { state: next.state, gaps };
    });
    state = after.state;
    tally.count('rejectedGaps', after.gaps);
    if (!result.found) {
      ctx.logger.warn({ poolId: unit.ref.id }, 'watched pool unknown to the API (OHLCV answered 404)');
      tally.count('notFound');
      return;
    }
    if (stop) return;
    from = window.end;
  }
}

/**
 * The unit's state after one forward window, and the rejected intervals to record as gaps. Caught
 * up (or the pool is unknown): due again later, from the candle that was open when fetched, so its
 * final version is stored next time. Not yet: due at once, from the window's end. Either way not
 * past a rejected candle until REJECTED_ATTEMPTS fetches in a row rejected it.
 */
export function afterWindow(
  state: OhlcvUnitState,
  window: { start: number; end: number; reachesNow: boolean },
  page: WindowPage,
  timeframe: Timeframe,
  timing: { intervalS: number; tickS: number },
): { state: OhlcvUnitState; gaps: Span[] } {
  const size = TIMEFRAME_SECONDS[timeframe];
  const caughtUp = window.reachesNow || !page.found;
  const from = !page.found ? window.start : window.reachesNow ? window.end - size : window.end;
  const due = caughtUp ? nextDue(page.at, timeframe, timing.intervalS, timing.tickS) : page.at;
  let held = state.rejected;
  const oldest = page.rejected[0];
  if (held !== undefined && held.from >= window.start && held.from < window.end) {
    // This window asked for the held candle again: rejected again (or something older), or not.
    held = oldest === undefined ? undefined : { from: oldest.from, attempts: oldest.from <= held.from ? held.attempts + 1 : 1 };
  } else if (held === undefined && oldest !== undefined) {
    held = { from: oldest.from, attempts: 1 };
  }
  // A hold from an earlier window of this walk stays: the next fetch from it covers this one too.
  let gaps: Span[] = [];
  if (held !== undefined && held.attempts >= REJECTED_ATTEMPTS) {
    gaps = page.rejected;
    held = undefined;
  }
  const next: OhlcvUnitState = { from: held === undefined ? from : Math.min(from, held.from), fetchedAt: page.at, due };
  if (held !== undefined) next.rejected = held;
  // A new gap is retried at the unit's next fetch; else the retry schedule carries on.
  if (gaps.length === 0 && state.gapRetry !== undefined) next.gapRetry = state.gapRetry;
  return { state: next, gaps };
}

/**
 * Fetches the unit's open gaps again, oldest first (those the API still serves: six months), and
 * resolves each whose span now comes back complete: no rejected row and no hole. While none
 * closes, retries back off (an interval, doubling, at most a day). Returns the unit's state with
 * the retry schedule; it is stored with the unit's next checkpoint.
 */
async function retryGaps(deps: CollectorDeps, ctx: RunContext, tally: RunTally, unit: Unit, overBudget: () => boolean): Promise<OhlcvUnitState> {
  const now = nowSeconds(deps);
  const { state, timeframe, ref } = unit;
  if ((state.gapRetry?.due ?? 0) > now) return state;
  const open = (await deps.store.read.gaps.listOpen({ poolId: ref.id, kind: 'ohlcv' })).filter((g) => g.timeframe === timeframe && g.fromTs >= now - HISTORY_S);
  if (open.length === 0) return state;
  let closed = 0;
  for (const gap of open) {
    ctx.signal.throwIfAborted();
    if (overBudget()) return state;
    const result = await refetchGap(deps, ctx, tally, unit, gap);
    if (result === 'unknown') return state;
    if (result === 'closed') closed += 1;
  }
  tally.count('gapsClosed', closed);
  const size = TIMEFRAME_SECONDS[timeframe];
  const attempts = closed > 0 ? 0 : (state.gapRetry?.attempts ?? 0) + 1;
  const wait = Math.min(Math.max(GAP_RETRY_MAX_S, size), size * 2 ** attempts);
  return { ...state, gapRetry: { attempts, due: now + wait } };
}

/** Fetches one gap's span page by page; the page that completes it also resolves it. */
async function refetchGap(deps: CollectorDeps, ctx: RunContext, tally: RunTally, unit: Unit, gap: DataGap): Promise<'closed' | 'open' | 'unknown'> {
  const size = TIMEFRAME_SECONDS[unit.timeframe];
  let complete = true;
  for (let start = gap.fromTs; start < gap.toTs;) {
    const end = Math.min(gap.toTs, start + OHLCV_MAX_LIMIT * size);
    const earlier = complete;
    const result = await fetchWindow(deps, ctx, tally, unit.ref, unit.timeframe, { start, end, limit: (end - start) / size }, async (tx, page) => {
      if (end === gap.toTs && earlier && page.found && page.rejected.length === 0 && page.holes === 0) await tx.gaps.resolve(gap.id, page.at);
    });
    if (!result.found) return 'unknown';
    complete &&= result.rejected.length === 0 && result.holes === 0;
    start = end;
  }
  return complete ? 'closed' : 'open';
}
