/** data_gaps: the honest record of what could not be collected. Recording a gap twice is a no-op. */
import type { DataGapRecord } from '../../lib/records.ts';
import { writeBatch, type TableSpec } from './batch.ts';
import type { RepoContext } from './context.ts';

export interface DataGap extends DataGapRecord {
  id: number;
  resolvedAt: number | null;
}

type GapRow = Omit<DataGapRecord, 'timeframe'> & { timeframe: string };

const GAPS: TableSpec<GapRow> = {
  table: 'data_gaps',
  key: ['pool_id', 'kind', 'timeframe', 'from_ts', 'to_ts'],
  onConflict: 'ignore',
  columns: [
    { column: 'pool_id', field: 'poolId', kind: 'text' },
    { column: 'kind', field: 'kind', kind: 'text' },
    { column: 'timeframe', field: 'timeframe', kind: 'text' },
    { column: 'from_ts', field: 'fromTs', kind: 'int' },
    { column: 'to_ts', field: 'toTs', kind: 'int' },
    { column: 'reason', field: 'reason', kind: 'text' },
    { column: 'detected_at', field: 'detectedAt', kind: 'int' },
  ],
};

export class DataGapsRepository {
  constructor(private readonly ctx: RepoContext) {}

  /** Records gaps; returns how many were new (the same pool/kind/timeframe/range is stored once). */
  insert(gaps: readonly DataGapRecord[]): Promise<number> {
    return writeBatch(this.ctx, GAPS, gaps.map((g) => ({ ...g, timeframe: g.timeframe ?? '' })));
  }

  /** Unresolved gaps, oldest first, optionally of one pool and/or kind. */
  async listOpen(filter: { poolId?: string; kind?: DataGapRecord['kind']; limit?: number } = {}): Promise<DataGap[]> {
    return this.list({ ...filter, open: true });
  }

  async list(filter: { poolId?: string; kind?: DataGapRecord['kind']; open?: boolean; limit?: number } = {}): Promise<DataGap[]> {
    let query = this.ctx.db.selectFrom('data_gaps').selectAll();
    if (filter.open) query = query.where('resolved_at', 'is', null);
    if (filter.poolId !== undefined) query = query.where('pool_id', '=', filter.poolId);
    if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
    const rows = await query.orderBy('from_ts').orderBy('id').limit(filter.limit ?? 10_000).execute();
    return rows.map((r) => ({
      id: Number(r.id), poolId: r.pool_id, kind: r.kind as DataGapRecord['kind'], timeframe: r.timeframe === '' ? null : r.timeframe,
      fromTs: Number(r.from_ts), toTs: Number(r.to_ts), reason: r.reason, detectedAt: Number(r.detected_at),
      resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at),
    }));
  }

  /** Marks a gap resolved (e.g. backfilled after all); false when it was unknown or already resolved. */
  async resolve(id: number, at: number): Promise<boolean> {
    const result = await this.ctx.db.updateTable('data_gaps').set({ resolved_at: at }).where('id', '=', id).where('resolved_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
