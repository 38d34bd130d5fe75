/** The HTTP API's reads, over the store's read repositories. */
import type { PoolRecord, RunRecord, Store } from '../store/index.ts';
import type { CandleView, GapView, PoolView, RunView, ServerData, TimeframeName, TokenView } from './views.ts';

const TIMEFRAME_SECONDS: Record<TimeframeName, number> = { '1m': 60, '5m': 300, '15m': 900, '1h': 3600, '4h': 14_400, '12h': 43_200, '1d': 86_400 };

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();
const isoOrNull = (seconds: number | null): string | null => (seconds === null ? null : iso(seconds));

function runView(r: RunRecord): RunView {
  return {
    id: r.id,
    collector: r.collector,
    status: r.status,
    startedAt: iso(r.startedAt),
    finishedAt: isoOrNull(r.finishedAt),
    durationMs: r.finishedAt === null ? null : (r.finishedAt - r.startedAt) * 1000,
    rowsWritten: r.rowsWritten,
    rejected: r.rejected,
    error: r.error,
    failureClass: r.failureClass,
  };
}

export function storeData(store: Store): ServerData {
  const read = store.read;

  async function poolViews(pools: PoolRecord[], watched?: Set<string>): Promise<PoolView[]> {
    const tokenIds = [...new Set(pools.flatMap((p) => [p.baseTokenId, p.quoteTokenId]).filter((id): id is string => id !== null))];
    const tokens = new Map<string, TokenView>((await read.tokens.byIds(tokenIds)).map((t) => [t.id, { id: t.id, name: t.name, symbol: t.symbol }]));
    const watchedIds = watched ?? new Set((await read.watchlist.list()).map((w) => w.poolId));
    return pools.map((p) => ({
      id: p.id,
      network: p.network,
      address: p.address,
      name: p.name,
      dexId: p.dexId,
      baseToken: p.baseTokenId ? (tokens.get(p.baseTokenId) ?? null) : null,
      quoteToken: p.quoteTokenId ? (tokens.get(p.quoteTokenId) ?? null) : null,
      baseTokenPriceUsd: p.baseTokenPriceUsd,
      reserveInUsd: p.reserveInUsd,
      volumeUsdH24: p.volumeUsdH24,
      priceChangeH24: p.priceChangeH24,
      transactionsH24: p.transactionsH24,
      poolCreatedAt: isoOrNull(p.poolCreatedAt),
      updatedAt: iso(p.updatedAt),
      watched: watchedIds.has(p.id),
    }));
  }

  /** Whether a pool matches a search the way PoolsRepository.search matches: name, id or address. */
  function matches(p: PoolView, q: string): boolean {
    const needle = q.toLowerCase();
    return [p.name, p.id, p.address, p.baseToken?.symbol, p.quoteToken?.symbol, p.baseToken?.name, p.quoteToken?.name].some((v) => v?.toLowerCase().includes(needle));
  }

  return {
    async runs(filter) {
      return (await read.runs.recent({ limit: filter.limit, ...(filter.collector ? { collector: filter.collector } : {}) })).map(runView);
    },

    async pools(filter) {
      if (filter.watchlist) {
        // The watchlist is bounded (discovery.maxWatched plus manual entries), so it is read whole.
        const watched = await read.watchlist.list();
        const ids = new Set(watched.map((w) => w.poolId));
        const byId = new Map((await read.pools.byIds([...ids])).map((p) => [p.id, p]));
        const views = await poolViews(watched.map((w) => byId.get(w.poolId)).filter((p): p is PoolRecord => p !== undefined), ids);
        return (filter.q ? views.filter((v) => matches(v, filter.q as string)) : views).slice(0, filter.limit);
      }
      const pools = await read.pools.search({ limit: filter.limit, ...(filter.q ? { q: filter.q } : {}) });
      const views = await poolViews(pools);
      return filter.watchlist === false ? views.filter((v) => !v.watched) : views;
    },

    async pool(id) {
      const pool = await read.pools.byId(id);
      return pool ? (await poolViews([pool]))[0] : undefined;
    },

    async candles(poolId, timeframe, limit): Promise<CandleView[]> {
      const newest = await read.candles.newestTs(poolId, timeframe);
      if (newest === null) return [];
      // `range` reads oldest first from fromTs; start far enough back to cover `limit` candles.
      const rows = await read.candles.range(poolId, timeframe, { fromTs: newest - TIMEFRAME_SECONDS[timeframe] * (limit - 1), limit });
      return rows.map((c) => ({ time: c.ts, open: c.open, high: c.high, low: c.low, close: c.close, volumeUsd: c.volumeUsd, flags: c.flags }));
    },

    async gaps(filter): Promise<GapView[]> {
      const gaps = await read.gaps.list({ limit: filter.limit, ...(filter.open ? { open: true } : {}), ...(filter.poolId ? { poolId: filter.poolId } : {}) });
      return gaps.map((g) => ({
        id: g.id,
        poolId: g.poolId,
        kind: g.kind,
        timeframe: g.timeframe,
        from: iso(g.fromTs),
        to: iso(g.toTs),
        reason: g.reason,
        detectedAt: iso(g.detectedAt),
        resolvedAt: isoOrNull(g.resolvedAt),
      }));
    },
  };
}
