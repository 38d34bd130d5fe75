/**
 * Reading a paged pool list (top pools, pools of a DEX, new pools): each page's tokens, dexes,
 * pools, sightings, list checkpoint and run counters commit together before the next page is
 * asked for.
 */
import type { PoolsPage } from '../api/index.ts';
import type { SnapshotSource } from '../store/index.ts';
import type { CollectorDeps } from './deps.ts';
import { nowSeconds } from './deps.ts';
import { commitPage, type RunTally } from './page-commit.ts';
import { writePoolsPage } from './pool-rows.ts';
import type { RunContext } from './types.ts';

export interface PoolListRead {
  /** The pager (fetches a page only when asked for the next one). */
  pages: AsyncIterable<PoolsPage & { page: number }>;
  /** e.g. "top-pools solana dex raydium". */
  label: string;
  snapshotSource: SnapshotSource;
  /** Checkpoint row: (instance name, list key) → the last page stored and when. */
  checkpoint: { collector: string; key: string };
}

export async function readPoolList(deps: CollectorDeps, ctx: RunContext, tally: RunTally, list: PoolListRead): Promise<void> {
  for await (const page of list.pages) {
    tally.apiCalls += 1;
    const at = nowSeconds(deps);
    await commitPage(deps, ctx, tally, { source: `${list.label} page ${page.page}`, rejected: page.rejected }, async (tx) => {
      const rows = await writePoolsPage(tx, page, list.snapshotSource);
      await tx.checkpoints.set(list.checkpoint.collector, list.checkpoint.key, JSON.stringify({ page: page.page, pools: page.pools.length, at }), at);
      return rows;
    });
    tally.count('pools', page.pools.length);
  }
}
