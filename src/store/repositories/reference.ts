/** Reference data: networks, DEXes and tokens (all last-write-wins upserts). */
import type { DexRecord, NetworkRecord, TokenRecord } from '../../lib/records.ts';
import { fromRow, inChunks, writeBatch, type TableSpec } from './batch.ts';
import type { RepoContext } from './context.ts';

const NETWORKS: TableSpec<NetworkRecord> = {
  table: 'networks',
  key: ['id'],
  onConflict: 'update',
  columns: [
    { column: 'id', field: 'id', kind: 'text' },
    { column: 'name', field: 'name', kind: 'text' },
    { column: 'coingecko_asset_platform_id', field: 'coingeckoAssetPlatformId', kind: 'text' },
  ],
};

const DEXES: TableSpec<DexRecord> = {
  table: 'dexes',
  key: ['id'],
  onConflict: 'update',
  columns: [
    { column: 'id', field: 'id', kind: 'text' },
    { column: 'network', field: 'network', kind: 'text' },
    { column: 'dex_id', field: 'dexId', kind: 'text' },
    { column: 'name', field: 'name', kind: 'text' },
  ],
};

const TOKENS: TableSpec<TokenRecord> = {
  table: 'tokens',
  key: ['id'],
  onConflict: 'update',
  columns: [
    { column: 'id', field: 'id', kind: 'text' },
    { column: 'network', field: 'network', kind: 'text' },
    { column: 'address', field: 'address', kind: 'text' },
    { column: 'name', field: 'name', kind: 'text' },
    { column: 'symbol', field: 'symbol', kind: 'text' },
    { column: 'decimals', field: 'decimals', kind: 'int' },
    { column: 'image_url', field: 'imageUrl', kind: 'text' },
    { column: 'coingecko_coin_id', field: 'coingeckoCoinId', kind: 'text' },
  ],
};

export class NetworksRepository {
  constructor(private readonly ctx: RepoContext) {}

  upsert(rows: readonly NetworkRecord[]): Promise<number> {
    return writeBatch(this.ctx, NETWORKS, rows);
  }

  async list(): Promise<NetworkRecord[]> {
    const rows = await this.ctx.db.selectFrom('networks').selectAll().orderBy('id').execute();
    return rows.map((row) => fromRow(NETWORKS, row));
  }
}

export class DexesRepository {
  constructor(private readonly ctx: RepoContext) {}

  upsert(rows: readonly DexRecord[]): Promise<number> {
    return writeBatch(this.ctx, DEXES, rows);
  }

  async list(network?: string): Promise<DexRecord[]> {
    let query = this.ctx.db.selectFrom('dexes').selectAll();
    if (network !== undefined) query = query.where('network', '=', network);
    const rows = await query.orderBy('id').execute();
    return rows.map((row) => fromRow(DEXES, row));
  }
}

export class TokensRepository {
  constructor(private readonly ctx: RepoContext) {}

  upsert(rows: readonly TokenRecord[]): Promise<number> {
    return writeBatch(this.ctx, TOKENS, rows);
  }

  async byIds(ids: readonly string[]): Promise<TokenRecord[]> {
    if (ids.length === 0) return [];
    const rows = await inChunks(ids, (chunk) => this.ctx.db.selectFrom('tokens').selectAll().where('id', 'in', chunk).execute());
    return rows.map((row) => fromRow(TOKENS, row));
  }
}
