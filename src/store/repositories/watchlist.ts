/** Watched pools. added_at is kept from the first time a pool was added. */
import type { WatchlistRecord } from '../../lib/records.ts';
import { fromRow, writeBatch, type TableSpec } from './batch.ts';
import type { RepoContext } from './context.ts';

const WATCHLIST: TableSpec<WatchlistRecord> = {
  table: 'watchlist',
  key: ['pool_id'],
  onConflict: 'update',
  keepOnUpdate: ['added_at'],
  columns: [
    { column: 'pool_id', field: 'poolId', kind: 'text' },
    { column: 'active', field: 'active', kind: 'bool' },
    { column: 'source', field: 'source', kind: 'text' },
    { column: 'score', field: 'score', kind: 'decimal' },
    { column: 'added_at', field: 'addedAt', kind: 'int' },
    { column: 'updated_at', field: 'updatedAt', kind: 'int' },
    { column: 'symbol', field: 'symbol', kind: 'text' },
    { column: 'name', field: 'name', kind: 'text' },
    { column: 'note', field: 'note', kind: 'text' },
    { column: 'below_since', field: 'belowSince', kind: 'int' },
  ],
};

/** A watchlist entry with the pool's current name and network when the pool is known. */
export interface WatchedPool extends WatchlistRecord {
  poolName: string | null;
  network: string | null;
}

export class WatchlistRepository {
  constructor(private readonly ctx: RepoContext) {}

  upsert(rows: readonly WatchlistRecord[]): Promise<number> {
    return writeBatch(this.ctx, WATCHLIST, rows);
  }

  async get(poolId: string): Promise<WatchlistRecord | undefined> {
    const row = await this.ctx.db.selectFrom('watchlist').selectAll().where('pool_id', '=', poolId).executeTakeFirst();
    return row ? fromRow(WATCHLIST, row) : undefined;
  }

  /** Watched pools (only active ones unless `all`), oldest first, joined with pool names. */
  async list(options: { all?: boolean } = {}): Promise<WatchedPool[]> {
    let query = this.ctx.db
      .selectFrom('watchlist')
      .leftJoin('pools', 'pools.id', 'watchlist.pool_id')
      .selectAll('watchlist')
      .select(['pools.name as pool_name', 'pools.network as pool_network']);
    if (!options.all) query = query.where('watchlist.active', '=', 1);
    const rows = await query.orderBy('watchlist.added_at').orderBy('watchlist.pool_id').execute();
    return rows.map((row) => ({ ...fromRow(WATCHLIST, row), poolName: row.pool_name ?? null, network: row.pool_network ?? null }));
  }

  /** Activates or deactivates one pool; false when it is not on the watchlist. */
  async setActive(poolId: string, active: boolean, at: number): Promise<boolean> {
    const result = await this.ctx.db
      .updateTable('watchlist')
      .set({ active: active ? 1 : 0, updated_at: at })
      .where('pool_id', '=', poolId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async remove(poolId: string): Promise<boolean> {
    const result = await this.ctx.db.deleteFrom('watchlist').where('pool_id', '=', poolId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
