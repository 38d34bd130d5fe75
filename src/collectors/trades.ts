/**
 * `trades`: the trades of every active watched pool above `minVolumeUsd`, de-duplicated on the
 * API's trade id. Each pool has its own poll time that follows its trade rate (trade-poll-plan.ts);
 * the instance ticks every `minPollInterval` and polls the pools that are due, the one closest to
 * overflowing the API's 300-trade window first, until none is due or the run's time is used.
 * Each poll is a claimed unit; its trades, checkpoint (the pool's poll state) and any gap commit
 * in one transaction. A rejected trade not already stored is held in the poll state until an
 * answer serves it again or its span becomes a gap (trade-poll-plan.ts).
 */
import { StartByPassedError, type TradeRecord as ApiTradeRecord } from '../api/index.ts';
import type { TradeRecord } from '../store/index.ts';
import type { CollectorDeps } from './deps.ts';
import { nowSeconds } from './deps.ts';
import { commitPage, RunTally } from './page-commit.ts';
import { watchedRefs, type PoolRef } from './pool-ids.ts';
import { initialPollState, parsePollState, planAfterPoll, type PollLimits, type TradePollState } from './trade-poll-plan.ts';
import type { CollectorInstance, RunContext } from './types.ts';
import { claimUnit, finishUnit, withClaim, type WorkUnit } from './work-claims.ts';

export const TRADES_CHECKPOINT = 'trades';

export interface TradesOptions {
  /** Poll only this pool. */
  poolId?: string;
  /** Poll every selected pool once now, due or not (`gtc collect trades`). */
  force?: boolean;
  /** Stop starting polls after this long (default 80% of recovery.runTimeout). */
  runBudgetMs?: number;
}

/** The store's trade row (an address the API left out is stored as ''). */
export function toStoredTrade(trade: ApiTradeRecord): TradeRecord {
  return { ...trade, txFromAddress: trade.txFromAddress ?? '', fromTokenAddress: trade.fromTokenAddress ?? '', toTokenAddress: trade.toTokenAddress ?? '' };
}

export function createTradesCollector(deps: CollectorDeps, options: TradesOptions = {}): CollectorInstance {
  const settings = deps.config.collectors.trades;
  const limits: PollLimits = { minPollS: Math.max(1, Math.round(settings.minPollInterval / 1000)), maxPollS: Math.max(1, Math.round(settings.maxPollInterval / 1000)) };
  const runBudgetMs = options.runBudgetMs ?? Math.floor(deps.config.recovery.runTimeout * 0.8);
  return {
    name: 'trades',
    collector: 'trades',
    // The tick at which due pools are looked for; each pool's own interval is adaptive.
    intervalMs: Math.min(settings.interval, settings.minPollInterval),
    dependsOn: 'api',
    async run(ctx) {
      const tally = new RunTally();
      const started = deps.clock.now();
      // No call starts past the budget: one still waiting for API budget then is not sent.
      const budgeted: RunContext = { ...ctx, startCallsBy: started + runBudgetMs };
      const watched = (await deps.store.read.watchlist.list()).filter((w) => options.poolId === undefined || w.poolId === options.poolId);
      const { refs, unknown } = watchedRefs(watched, deps.config.networks);
      tally.count('unknownNetwork', unknown.length);
      const stored = new Map((await deps.store.read.checkpoints.list(TRADES_CHECKPOINT)).map((c) => [c.key, parsePollState(c.value)]));
      const states = new Map<string, TradePollState>();
      for (const ref of refs) states.set(ref.id, stored.get(ref.id) ?? initialPollState(nowSeconds(deps)));
      const done = new Set<string>();
      for (;;) {
        ctx.signal.throwIfAborted();
        const now = nowSeconds(deps);
        const due = refs.filter((r) => !done.has(r.id) && (options.force || (states.get(r.id) as TradePollState).nextPollAt <= now));
        if (due.length === 0) break;
        if (deps.clock.now() - started >= runBudgetMs) {
          tally.count('deferred', due.length);
          break;
        }
        // Earliest deadline first: the pool closest to overflowing the API's window.
        const ref = due.reduce((a, b) => (byUrgency(states.get(a.id) as TradePollState, states.get(b.id) as TradePollState, a.id, b.id) <= 0 ? a : b));
        done.add(ref.id);
        const state = states.get(ref.id) as TradePollState;
        const unit: WorkUnit = { key: `trades:${ref.id}`, slot: options.force ? now : state.nextPollAt };
        if (!(await claimUnit(deps, unit))) {
          tally.count('claimedElsewhere');
          continue;
        }
        try {
          states.set(ref.id, await withClaim(deps, unit, () => pollPool(deps, budgeted, tally, ref, state, unit, limits)));
        } catch (error) {
          if (!(error instanceof StartByPassedError)) throw error;
          tally.count('deferred', due.length);
          break;
        }
      }
      return tally.summary();
    },
  };
}

function byUrgency(a: TradePollState, b: TradePollState, aId: string, bId: string): number {
  return a.deadline - b.deadline || a.nextPollAt - b.nextPollAt || (aId < bId ? -1 : aId > bId ? 1 : 0);
}

async function pollPool(deps: CollectorDeps, ctx: RunContext, tally: RunTally, ref: PoolRef, state: TradePollState, unit: WorkUnit, limits: PollLimits): Promise<TradePollState> {
  const minVolumeUsd = deps.config.collectors.trades.minVolumeUsd;
  // The poll's time is taken before the request: the answer holds every trade up to at least then
  // (taking it after would claim trades made while the request was on its way).
  const now = nowSeconds(deps);
  const page = await deps.api.trades(ref.network, ref.address, { minVolumeUsd, signal: ctx.signal, ...(ctx.startCallsBy === undefined ? {} : { startBy: ctx.startCallsBy }) });
  // When the answer arrived: a short answer holds the 24 h before then (not before `now`).
  const answeredAt = nowSeconds(deps);
  tally.apiCalls += 1;
  if (page === null) {
    ctx.logger.warn({ poolId: ref.id }, 'watched pool unknown to the API (trades answered 404)');
    tally.count('notFound');
    const next = { ...state, lastPollAt: now, nextPollAt: now + limits.maxPollS };
    await commitPage(deps, ctx, tally, { source: `trades ${ref.id}`, rejected: [] }, async (tx) => {
      await tx.checkpoints.set(TRADES_CHECKPOINT, ref.id, JSON.stringify(next), now);
      await finishUnit(tx, deps, unit, now);
      return 0;
    });
    return next;
  }
  const trades = page.trades.map(toStoredTrade);
  const distinct = new Set(trades.map((t) => t.id)).size;
  let planned: ReturnType<typeof planAfterPoll> = { state, gaps: [] };
  await commitPage(deps, ctx, tally, { source: `trades ${ref.id}`, rejected: page.rejected }, async (tx) => {
    const inserted = await tx.trades.insert(trades);
    // A rejected trade stored by an earlier poll is not lost.
    const known = await tx.trades.existingIds(page.rejected.flatMap((r) => (r.id === undefined ? [] : [r.id])));
    const rejected = page.rejected.filter((r) => r.id === undefined || !known.has(r.id));
    const plan = planAfterPoll(state, { now, answeredAt, timestamps: trades.map((t) => t.blockTimestamp), itemCount: page.itemCount, overlapped: inserted < distinct, rejected }, limits);
    const gaps = await tx.gaps.insert(plan.gaps.map((gap) => ({ poolId: ref.id, kind: 'trades' as const, timeframe: null, ...gap, detectedAt: now })));
    await tx.checkpoints.set(TRADES_CHECKPOINT, ref.id, JSON.stringify(plan.state), now);
    await finishUnit(tx, deps, unit, now);
    planned = plan;
    return inserted + gaps;
  });
  for (const gap of planned.gaps) {
    ctx.logger.warn({ poolId: ref.id, fromTs: gap.fromTs, toTs: gap.toTs, reason: gap.reason }, 'trades not collected: recorded a data gap');
    tally.count('gaps');
  }
  return planned.state;
}
