/** Trades: immutable facts, inserted once (a repeated id is ignored, never rewritten). */
import type { TradeRecord } from '../../lib/records.ts';
import { fromRow, inChunks, writeBatch, type TableSpec } from './batch.ts';
import type { RepoContext } from './context.ts';

export const TRADES: TableSpec<TradeRecord> = {
  table: 'trades',
  key: ['id'],
  onConflict: 'ignore',
  columns: [
    { column: 'id', field: 'id', kind: 'text' },
    { column: 'pool_id', field: 'poolId', kind: 'text' },
    { column: 'block_number', field: 'blockNumber', kind: 'int' },
    { column: 'block_timestamp', field: 'blockTimestamp', kind: 'int' },
    { column: 'tx_hash', field: 'txHash', kind: 'text' },
    { column: 'tx_from_address', field: 'txFromAddress', kind: 'text' },
    { column: 'kind', field: 'kind', kind: 'text' },
    { column: 'from_token_amount', field: 'fromTokenAmount', kind: 'decimal' },
    { column: 'to_token_amount', field: 'toTokenAmount', kind: 'decimal' },
    { column: 'price_from_in_currency_token', field: 'priceFromInCurrencyToken', kind: 'decimal' },
    { column: 'price_to_in_currency_token', field: 'priceToInCurrencyToken', kind: 'decimal' },
    { column: 'price_from_in_usd', field: 'priceFromInUsd', kind: 'decimal' },
    { column: 'price_to_in_usd', field: 'priceToInUsd', kind: 'decimal' },
    { column: 'volume_in_usd', field: 'volumeInUsd', kind: 'decimal' },
    { column: 'from_token_address', field: 'fromTokenAddress', kind: 'text' },
    { column: 'to_token_address', field: 'toTokenAddress', kind: 'text' },
  ],
};

export class TradesRepository {
  constructor(private readonly ctx: RepoContext) {}

  /** Inserts trades not stored yet; returns how many were new. */
  insert(rows: readonly TradeRecord[]): Promise<number> {
    return writeBatch(this.ctx, TRADES, rows);
  }

  /** Oldest and newest block timestamp stored for a pool, or null when it has no trades. */
  async timeRange(poolId: string): Promise<{ oldest: number; newest: number; count: number } | null> {
    const row = await this.ctx.db
      .selectFrom('trades')
      .select((eb) => [eb.fn.min('block_timestamp').as('oldest'), eb.fn.max('block_timestamp').as('newest'), eb.fn.countAll().as('count')])
      .where('pool_id', '=', poolId)
      .executeTakeFirst();
    if (!row || row.oldest === null || row.oldest === undefined) return null;
    return { oldest: Number(row.oldest), newest: Number(row.newest), count: Number(row.count) };
  }

  /** The subset of `ids` already stored. */
  async existingIds(ids: readonly string[]): Promise<Set<string>> {
    const rows = await inChunks(ids, (chunk) => this.ctx.db.selectFrom('trades').select('id').where('id', 'in', chunk).execute());
    return new Set(rows.map((r) => r.id));
  }

  /** Trades of a pool with fromTs <= block_timestamp <= toTs, oldest first. */
  async range(poolId: string, options: { fromTs?: number; toTs?: number; limit?: number } = {}): Promise<TradeRecord[]> {
    let query = this.ctx.db.selectFrom('trades').selectAll().where('pool_id', '=', poolId);
    if (options.fromTs !== undefined) query = query.where('block_timestamp', '>=', options.fromTs);
    if (options.toTs !== undefined) query = query.where('block_timestamp', '<=', options.toTs);
    const rows = await query.orderBy('block_timestamp').orderBy('id').limit(options.limit ?? 100_000).execute();
    return rows.map((row) => fromRow(TRADES, row) as TradeRecord);
  }
}
