/** Pools (latest observation per pool) and pool_snapshots (every observation). */
import { sql } from 'kysely';
import type { PoolRecord, PoolSnapshotRecord } from '../../lib/records.ts';
import { fromRow, inChunks, writeBatch, type TableSpec } from './batch.ts';
import type { RepoContext } from './context.ts';

export const POOLS: TableSpec<PoolRecord> = {
  table: 'pools',
  key: ['id'],
  onConflict: 'update',
  // An observation older than the stored one (another instance, a late page) never overwrites it.
  newerOrEqual: 'updated_at',
  columns: [
    { column: 'id', field: 'id', kind: 'text' },
    { column: 'network', field: 'network', kind: 'text' },
    { column: 'address', field: 'address', kind: 'text' },
    { column: 'name', field: 'name', kind: 'text' },
    { column: 'dex_id', field: 'dexId', kind: 'text' },
    { column: 'base_token_id', field: 'baseTokenId', kind: 'text' },
    { column: 'quote_token_id', field: 'quoteTokenId', kind: 'text' },
    { column: 'base_token_price_usd', field: 'baseTokenPriceUsd', kind: 'decimal' },
    { column: 'quote_token_price_usd', field: 'quoteTokenPriceUsd', kind: 'decimal' },
    { column: 'base_token_price_native_currency', field: 'baseTokenPriceNativeCurrency', kind: 'decimal' },
    { column: 'quote_token_price_native_currency', field: 'quoteTokenPriceNativeCurrency', kind: 'decimal' },
    { column: 'base_token_price_quote_token', field: 'baseTokenPriceQuoteToken', kind: 'decimal' },
    { column: 'quote_token_price_base_token', field: 'quoteTokenPriceBaseToken', kind: 'decimal' },
    { column: 'reserve_in_usd', field: 'reserveInUsd', kind: 'decimal' },
    { column: 'fdv_usd', field: 'fdvUsd', kind: 'decimal' },
    { column: 'market_cap_usd', field: 'marketCapUsd', kind: 'decimal' },
    { column: 'volume_usd_h24', field: 'volumeUsdH24', kind: 'decimal' },
    { column: 'price_change_h24', field: 'priceChangeH24', kind: 'decimal' },
    { column: 'transactions_h24', field: 'transactionsH24', kind: 'int' },
    { column: 'price_change_percentage', field: 'priceChangePercentage', kind: 'json' },
    { column: 'volume_usd', field: 'volumeUsd', kind: 'json' },
    { column: 'transactions', field: 'transactions', kind: 'json' },
    { column: 'pool_created_at', field: 'poolCreatedAt', kind: 'int' },
    { column: 'updated_at', field: 'updatedAt', kind: 'int' },
  ],
};

const SNAPSHOTS: TableSpec<PoolSnapshotRecord> = {
  table: 'pool_snapshots',
  key: ['pool_id', 'observed_at', 'source'],
  onConflict: 'update',
  columns: [
    { column: 'pool_id', field: 'poolId', kind: 'text' },
    { column: 'observed_at', field: 'observedAt', kind: 'int' },
    { column: 'source', field: 'source', kind: 'text' },
    { column: 'base_token_price_usd', field: 'baseTokenPriceUsd', kind: 'decimal' },
    { column: 'quote_token_price_usd', field: 'quoteTokenPriceUsd', kind: 'decimal' },
    { column: 'reserve_in_usd', field: 'reserveInUsd', kind: 'decimal' },
    { column: 'fdv_usd', field: 'fdvUsd', kind: 'decimal' },
    { column: 'market_cap_usd', field: 'marketCapUsd', kind: 'decimal' },
    { column: 'volume_usd_h24', field: 'volumeUsdH24', kind: 'decimal' },
    { column: 'transactions_h24', field: 'transactionsH24', kind: 'int' },
    { column: 'price_change_h24', field: 'priceChangeH24', kind: 'decimal' },
  ],
};

export interface PoolSearch {
  /** Matched case-insensitively against the pool name (which carries the symbols), id and address. */
  q?: string;
  network?: string;
  limit?: number;
  offset?: number;
}

export class PoolsRepository {
  constructor(private readonly ctx: RepoContext) {}

  /** Rows changed; a row older than the stored one (by updatedAt) is skipped. */
  upsert(rows: readonly PoolRecord[]): Promise<number> {
    return writeBatch(this.ctx, POOLS, rows);
  }

  async byId(id: string): Promise<PoolRecord | undefined> {
    const row = await this.ctx.db.selectFrom('pools').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? fromRow(POOLS, row) : undefined;
  }

  async byIds(ids: readonly string[]): Promise<PoolRecord[]> {
    const rows = await inChunks(ids, (chunk) => this.ctx.db.selectFrom('pools').selectAll().where('id', 'in', chunk).execute());
    return rows.map((row) => fromRow(POOLS, row));
  }

  /** Pools matching `q`, largest reserve first. */
  async search(options: PoolSearch = {}): Promise<PoolRecord[]> {
    let query = this.ctx.db.selectFrom('pools').selectAll();
    if (options.network !== undefined) query = query.where('network', '=', options.network);
    const q = options.q?.trim();
    if (q) {
      const pattern = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) => eb.or([
        eb(sql`lower(name)`, 'like', sql`${pattern} escape '\\'`),
        eb('id', '=', q),
        eb(sql`lower(address)`, '=', q.toLowerCase()),
      ]));
    }
    // NULL reserves last on both dialects.
    const rows = await query
      .orderBy(sql`case when reserve_in_usd is null then 1 else 0 end`)
      .orderBy(sql`cast(reserve_in_usd as ${sql.raw(this.ctx.dialect === 'postgres' ? 'numeric' : 'real')})`, 'desc')
      .orderBy('id')
      .limit(options.limit ?? 50)
      .offset(options.offset ?? 0)
      .execute();
    return rows.map((row) => fromRow(POOLS, row));
  }
}

export class PoolSnapshotsRepository {
  constructor(private readonly ctx: RepoContext) {}

  insert(rows: readonly PoolSnapshotRecord[]): Promise<number> {
    return writeBatch(this.ctx, SNAPSHOTS, rows);
  }

  async forPool(poolId: string, options: { fromTs?: number; toTs?: number; limit?: number } = {}): Promise<PoolSnapshotRecord[]> {
    let query = this.ctx.db.selectFrom('pool_snapshots').selectAll().where('pool_id', '=', poolId);
    if (options.fromTs !== undefined) query = query.where('observed_at', '>=', options.fromTs);
    if (options.toTs !== undefined) query = query.where('observed_at', '<=', options.toTs);
    const rows = await query.orderBy('observed_at').orderBy('source').limit(options.limit ?? 10_000).execute();
    return rows.map((row) => fromRow(SNAPSHOTS, row));
  }
}
