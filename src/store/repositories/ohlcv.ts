/** OHLCV candles: upserted, because the current (still open) candle changes until it closes. */
import type { CandleRecord } from '../../lib/records.ts';
import { fromRow, writeBatch, type TableSpec } from './batch.ts';
import type { RepoContext } from './context.ts';

export const CANDLES: TableSpec<CandleRecord> = {
  table: 'ohlcv',
  key: ['pool_id', 'timeframe', 'ts'],
  onConflict: 'update',
  // Re-fetched closed candles are usually unchanged: skip those writes, count only real changes.
  skipUnchanged: true,
  columns: [
    { column: 'pool_id', field: 'poolId', kind: 'text' },
    { column: 'timeframe', field: 'timeframe', kind: 'text' },
    { column: 'ts', field: 'ts', kind: 'int' },
    { column: 'open', field: 'open', kind: 'decimal' },
    { column: 'high', field: 'high', kind: 'decimal' },
    { column: 'low', field: 'low', kind: 'decimal' },
    { column: 'close', field: 'close', kind: 'decimal' },
    { column: 'volume_usd', field: 'volumeUsd', kind: 'decimal' },
    { column: 'flags', field: 'flags', kind: 'int' },
  ],
};

export interface NewestCandle {
  poolId: string;
  timeframe: string;
  ts: number;
}

export class CandlesRepository {
  constructor(private readonly ctx: RepoContext) {}

  /** Rows inserted or changed (an identical re-sent candle is not rewritten). */
  upsert(rows: readonly CandleRecord[]): Promise<number> {
    return writeBatch(this.ctx, CANDLES, rows);
  }

  /** Start of the newest stored candle of one pool and timeframe, or null when there is none. */
  async newestTs(poolId: string, timeframe: string): Promise<number | null> {
    const row = await this.ctx.db
      .selectFrom('ohlcv')
      .select((eb) => eb.fn.max('ts').as('ts'))
      .where('pool_id', '=', poolId)
      .where('timeframe', '=', timeframe)
      .executeTakeFirst();
    return row?.ts === null || row?.ts === undefined ? null : Number(row.ts);
  }

  /** Newest candle start per (pool, timeframe), optionally for some pools only. */
  async newestAll(poolIds?: readonly string[]): Promise<NewestCandle[]> {
    let query = this.ctx.db
      .selectFrom('ohlcv')
      .select(['pool_id', 'timeframe', (eb) => eb.fn.max('ts').as('ts')])
      .groupBy(['pool_id', 'timeframe']);
    if (poolIds) {
      if (poolIds.length === 0) return [];
      query = query.where('pool_id', 'in', [...poolIds]);
    }
    const rows = await query.orderBy('pool_id').orderBy('timeframe').execute();
    return rows.map((r) => ({ poolId: r.pool_id, timeframe: r.timeframe, ts: Number(r.ts) }));
  }

  /** Candles of one pool and timeframe with fromTs <= ts <= toTs, oldest first. */
  async range(poolId: string, timeframe: string, options: { fromTs?: number; toTs?: number; limit?: number } = {}): Promise<CandleRecord[]> {
    let query = this.ctx.db.selectFrom('ohlcv').selectAll().where('pool_id', '=', poolId).where('timeframe', '=', timeframe);
    if (options.fromTs !== undefined) query = query.where('ts', '>=', options.fromTs);
    if (options.toTs !== undefined) query = query.where('ts', '<=', options.toTs);
    const rows = await query.orderBy('ts').limit(options.limit ?? 100_000).execute();
    return rows.map((row) => fromRow(CANDLES, row));
  }
}
