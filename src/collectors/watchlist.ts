/**
 * `watchlist`: every active watched pool refreshed through pools/multi, 30 addresses per call
 * (95 pools on one network = 4 calls), each call's pools, tokens, dexes and snapshots in one
 * transaction. Batches are claimed, so several instances split the work instead of repeating it.
 */
import { MULTI_MAX_ADDRESSES, type PoolsMultiPage } from '../api/index.ts';
import type { WatchedPool, WatchlistRecord, WriteTx } from '../store/index.ts';
import type { CollectorDeps } from './deps.ts';
import { nowSeconds } from './deps.ts';
import { commitPage, RunTally } from './page-commit.ts';
import { watchedRefs, type PoolRef } from './pool-ids.ts';
import { poolSymbol, writePoolsPage } from './pool-rows.ts';
import type { CollectorInstance, RunContext } from './types.ts';
import { claimUnit, finishUnit, withClaim } from './work-claims.ts';

export interface WatchlistOptions {
  /** Refresh only this pool (`gtc collect watchlist --pool ID`). */
  poolId?: string;
}

export function createWatchlistCollector(deps: CollectorDeps, options: WatchlistOptions = {}): CollectorInstance {
  const intervalMs = deps.config.collectors.watchlist.interval;
  return {
    name: 'watchlist',
    collector: 'watchlist',
    intervalMs,
    dependsOn: 'api',
    async run(ctx) {
      const tally = new RunTally();
      const watched = (await deps.store.read.watchlist.list()).filter((w) => options.poolId === undefined || w.poolId === options.poolId);
      const { refs, unknown } = watchedRefs(watched, deps.config.networks);
      for (const id of unknown) ctx.logger.warn({ poolId: id }, 'watched pool id names no configured network; add its network to `networks`');
      tally.count('unknownNetwork', unknown.length);
      const byNetwork = new Map<string, PoolRef[]>();
      for (const ref of refs) byNetwork.set(ref.network, [...(byNetwork.get(ref.network) ?? []), ref]);
      const entries = new Map(watched.map((w) => [w.poolId, w]));
      // One slot per scheduling interval: a batch is refreshed once per interval across instances.
      const slot = Math.floor(deps.clock.now() / intervalMs) * Math.floor(intervalMs / 1000);
      for (const [network, pools] of byNetwork) {
        const addresses = pools.map((p) => p.address).sort();
        for (let i = 0; i < addresses.length; i += MULTI_MAX_ADDRESSES) {
          ctx.signal.throwIfAborted();
          const batch = addresses.slice(i, i + MULTI_MAX_ADDRESSES);
          const unit = { key: `watchlist:${network}:${i / MULTI_MAX_ADDRESSES}`, slot };
          if (!(await claimUnit(deps, unit))) {
            tally.count('claimedElsewhere');
            continue;
          }
          await withClaim(deps, unit, async () => {
            for await (const page of deps.api.poolsMulti(network, batch, { signal: ctx.signal })) {
              tally.apiCalls += 1;
              await storeBatch(deps, ctx, tally, network, page, entries, (tx, at) => finishUnit(tx, deps, unit, at));
            }
          });
        }
      }
      return tally.summary();
    },
  };
}

async function storeBatch(
  deps: CollectorDeps,
  ctx: RunContext,
  tally: RunTally,
  network: string,
  page: PoolsMultiPage,
  entries: Map<string, WatchedPool>,
  finish: (tx: WriteTx, at: number) => Promise<void>,
): Promise<void> {
  const at = nowSeconds(deps);
  const symbols = new Map(page.tokens.map((t) => [t.id, t.symbol]));
  // Fill in a watched pool's symbol and name from the API when the entry has none yet.
  const named: WatchlistRecord[] = [];
  for (const pool of page.pools) {
    const entry = entries.get(pool.id);
    if (!entry || (entry.symbol !== null && entry.name !== null)) continue;
    const { poolName: _poolName, network: _network, ...record } = entry;
    const symbol = (pool.baseTokenId ? symbols.get(pool.baseTokenId) : undefined) ?? poolSymbol(pool);
    named.push({ ...record, symbol: record.symbol ?? symbol, name: record.name ?? pool.name, updatedAt: at });
  }
  if (page.missing.length > 0) ctx.logger.warn({ network, missing: page.missing }, 'watched pools unknown to the API (pools/multi dropped them)');
  tally.count('missing', page.missing.length);
  tally.count('pools', page.pools.length);
  await commitPage(deps, ctx, tally, { source: `watchlist ${network} pools/multi`, rejected: page.rejected }, async (tx) => {
    let rows = await writePoolsPage(tx, page, 'watchlist');
    rows += await tx.watchlist.upsert(named);
    await tx.checkpoints.set('watchlist', network, JSON.stringify({ at, pools: page.pools.length, missing: page.missing.length }), at);
    await finish(tx, at);
    return rows;
  });
}
