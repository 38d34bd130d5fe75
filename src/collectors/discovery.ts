/**
 * `discovery`: scores the pools gtc has seen recently (top, new and watched pools) by liquidity,
 * 24 h volume, transactions and price movement. Pools meeting every threshold join the watchlist
 * with source `discovery` and their score, best first, while fewer than `maxWatched` pools are
 * active. A discovered pool below the thresholds for `deactivateAfter` is deactivated, never
 * deleted; it comes back when it qualifies again. Manual entries are never touched. Reads only
 * the database: it costs no API calls.
 */
import Big from 'big.js';
import type { PoolRecord, WatchedPool, WatchlistRecord } from '../store/index.ts';
import type { CollectorDeps } from './deps.ts';
import { nowSeconds } from './deps.ts';
import { commitPage, RunTally } from './page-commit.ts';
import { poolSymbol } from './pool-rows.ts';
import type { CollectorInstance } from './types.ts';

type DiscoverySettings = CollectorDeps['config']['collectors']['discovery'];

/** Observations older than this are not scored (the pool fell out of every list gtc reads). */
const FRESH_FOR_S = 86_400;

/** The activity score of a pool, or null when it misses a threshold. */
export function activityScore(pool: Pick<PoolRecord, 'reserveInUsd' | 'volumeUsdH24' | 'transactionsH24' | 'priceChangeH24'>, settings: DiscoverySettings): string | null {
  const reserve = toNumber(pool.reserveInUsd);
  const volume = toNumber(pool.volumeUsdH24);
  const transactions = pool.transactionsH24 ?? 0;
  if (reserve < settings.minReserveUsd || volume < settings.minVolume24hUsd || transactions < settings.minTransactions24h) return null;
  // Each factor as orders of magnitude above its threshold; price movement adds up to one point.
  const ratio = (value: number, threshold: number): number => Math.log10(1 + value / Math.max(threshold, 1));
  const move = Math.min(1, Math.abs(toNumber(pool.priceChangeH24)) / 100);
  const score = ratio(reserve, settings.minReserveUsd) + ratio(volume, settings.minVolume24hUsd) + ratio(transactions, settings.minTransactions24h) + move;
  return new Big(score.toFixed(6)).toString();
}

function toNumber(value: string | null): number {
  if (value === null) return 0;
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

export function createDiscoveryCollector(deps: CollectorDeps): CollectorInstance {
  const settings = deps.config.collectors.discovery;
  return {
    name: 'discovery',
    collector: 'discovery',
    intervalMs: settings.interval,
    dependsOn: 'database',
    async run(ctx) {
      const tally = new RunTally();
      const now = nowSeconds(deps);
      const pools = await deps.store.db.selectFrom('pools').select(['id', 'name', 'reserve_in_usd', 'volume_usd_h24', 'transactions_h24', 'price_change_h24']).where('updated_at', '>=', now - FRESH_FOR_S).execute();
      const scores = new Map<string, { score: string; name: string }>();
      for (const p of pools) {
        const score = activityScore({ reserveInUsd: p.reserve_in_usd, volumeUsdH24: p.volume_usd_h24, transactionsH24: p.transactions_h24, priceChangeH24: p.price_change_h24 }, settings);
        if (score !== null) scores.set(p.id, { score, name: p.name });
      }
      let decision: WatchlistDecision = { changes: [], counts: {} };
      // Decided inside the transaction, on the watchlist as it is at commit (a person may edit it).
      await commitPage(deps, ctx, tally, { source: 'discovery', rejected: [] }, async (tx) => {
        decision = decideWatchlist(await tx.watchlist.list({ all: true }), scores, settings, now);
        const rows = await tx.watchlist.upsert(decision.changes);
        await tx.checkpoints.set('discovery', 'last', JSON.stringify({ at: now, scored: scores.size, changed: decision.changes.length }), now);
        return rows;
      });
      for (const [name, n] of Object.entries(decision.counts)) tally.count(name, n);
      tally.count('scored', scores.size);
      return tally.summary();
    },
  };
}

interface WatchlistDecision {
  changes: WatchlistRecord[];
  counts: Record<string, number>;
}

/** Which watchlist rows to add, re-score, mark below, deactivate or reactivate. Manual rows are never touched. */
export function decideWatchlist(entries: readonly WatchedPool[], scores: ReadonlyMap<string, { score: string; name: string }>, settings: DiscoverySettings, now: number): WatchlistDecision {
  const counts: Record<string, number> = {};
  const count = (name: string): void => {
    counts[name] = (counts[name] ?? 0) + 1;
  };
  const byId = new Map(entries.map((e) => [e.poolId, e]));
  const changes: WatchlistRecord[] = [];
  let active = entries.filter((e) => e.active).length;
  const record = (e: WatchedPool): WatchlistRecord => {
    const { poolName: _poolName, network: _network, ...rest } = e;
    return rest;
  };
  for (const entry of entries) {
    if (entry.source !== 'discovery' || !entry.active) continue;
    const scored = scores.get(entry.poolId);
    if (scored) {
      if (entry.score !== scored.score || entry.belowSince !== null) changes.push({ ...record(entry), score: scored.score, belowSince: null, updatedAt: now });
      continue;
    }
    const belowSince = entry.belowSince ?? now;
    if (now - belowSince >= Math.floor(settings.deactivateAfter / 1000)) {
      changes.push({ ...record(entry), active: false, updatedAt: now });
      active -= 1;
      count('deactivated');
    } else if (entry.belowSince === null) changes.push({ ...record(entry), belowSince, updatedAt: now });
  }
  const candidates = [...scores.entries()]
    .filter(([id]) => !byId.get(id)?.active && byId.get(id)?.source !== 'manual')
    .sort(([aId, a], [bId, b]) => new Big(b.score).cmp(a.score) || (aId < bId ? -1 : 1));
  for (const [poolId, { score, name }] of candidates) {
    if (active >= settings.maxWatched) {
      count('overCapacity');
      continue;
    }
    const existing = byId.get(poolId);
    changes.push(existing
      ? { ...record(existing), active: true, score, belowSince: null, updatedAt: now }
      : { poolId, active: true, source: 'discovery', score, addedAt: now, updatedAt: now, symbol: poolSymbol({ name }), name, note: null, belowSince: null });
    active += 1;
    count(existing ? 'reactivated' : 'added');
  }
  return { changes, counts };
}
