/**
 * Writing a page of pools: the tokens and dexes the API sent in `included` (real names, symbols and
 * decimals — a token the page did not include is left as an id on its pool, never given a made-up
 * name), the pools, and a pool_snapshots row per sighting. Used by every collector that reads
 * pools (top, new, watchlist) and by `gtc watchlist add`.
 */
import type { PoolsPage } from '../api/index.ts';
import type { PoolRecord, PoolSnapshotRecord, SnapshotSource, WriteTx } from '../store/index.ts';

/** The pool_snapshots row of one sighting of a pool. */
export function snapshotOf(pool: PoolRecord, source: SnapshotSource): PoolSnapshotRecord {
  return {
    poolId: pool.id,
    observedAt: pool.updatedAt,
    source,
    baseTokenPriceUsd: pool.baseTokenPriceUsd,
    quoteTokenPriceUsd: pool.quoteTokenPriceUsd,
    reserveInUsd: pool.reserveInUsd,
    fdvUsd: pool.fdvUsd,
    marketCapUsd: pool.marketCapUsd,
    volumeUsdH24: pool.volumeUsdH24,
    transactionsH24: pool.transactionsH24,
    priceChangeH24: pool.priceChangeH24,
  };
}

/** Upserts tokens, dexes and pools of a page and records every sighting; returns rows written. */
export async function writePoolsPage(tx: WriteTx, page: Pick<PoolsPage, 'pools' | 'tokens' | 'dexes'>, source: SnapshotSource): Promise<number> {
  let rows = 0;
  rows += await tx.tokens.upsert(page.tokens);
  rows += await tx.dexes.upsert(page.dexes);
  rows += await tx.pools.upsert(page.pools);
  rows += await tx.snapshots.insert(page.pools.map((pool) => snapshotOf(pool, source)));
  return rows;
}

/** A display symbol for a pool: its name ("PEPE / WETH 0.3%") up to the first " / ". */
export function poolSymbol(pool: Pick<PoolRecord, 'name'>): string | null {
  const head = pool.name.split(' / ')[0]?.trim();
  return head ? head : null;
}
