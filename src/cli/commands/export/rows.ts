/**
 * What `gtc export` reads: ohlcv, trades or pools, page by page with keyset pagination (never
 * OFFSET, never the whole table in memory), in an order that is stable on both dialects.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Store } from '../../../store/index.ts';

export type Dataset = 'ohlcv' | 'trades' | 'pools';

export interface ExportFilter {
  poolId?: string;
  timeframe?: string;
  /** Unix seconds, inclusive. */
  since?: number;
  /** Unix seconds, exclusive. */
  until?: number;
}

export type Row = Record<string, unknown>;

interface DatasetQuery {
  /** Columns as exported, in order. */
  columns: string[];
  /** Keyset columns (unique together), as selected. */
  key: string[];
  /** Qualified key columns for the WHERE and ORDER BY. */
  keySql: string[];
  from: RawBuilder<unknown>;
  conditions(filter: ExportFilter): RawBuilder<unknown>[];
  /** Columns holding unix seconds, exported as ISO times. */
  times: string[];
}

const TRADE_COLUMNS = ['id', 'pool_id', 'block_number', 'block_timestamp', 'tx_hash', 'tx_from_address', 'kind', 'from_token_address', 'to_token_address', 'from_token_amount', 'to_token_amount', 'price_from_in_usd', 'price_to_in_usd', 'price_from_in_currency_token', 'price_to_in_currency_token', 'volume_in_usd'];
const POOL_COLUMNS = ['id', 'network', 'address', 'name', 'dex_id', 'base_token_id', 'base_token_name', 'base_token_symbol', 'quote_token_id', 'quote_token_name', 'quote_token_symbol', 'base_token_price_usd', 'quote_token_price_usd', 'reserve_in_usd', 'fdv_usd', 'market_cap_usd', 'volume_usd_h24', 'price_change_h24', 'transactions_h24', 'pool_created_at', 'updated_at'];

const QUERIES: Record<Dataset, DatasetQuery> = {
  ohlcv: {
    columns: ['pool_id', 'timeframe', 'ts', 'open', 'high', 'low', 'close', 'volume_usd', 'flags'],
    key: ['pool_id', 'timeframe', 'ts'],
    keySql: ['pool_id', 'timeframe', 'ts'],
    from: sql`ohlcv`,
    conditions: (f) => [
      ...(f.poolId !== undefined ? [sql`pool_id = ${f.poolId}`] : []),
      ...(f.timeframe !== undefined ? [sql`timeframe = ${f.timeframe}`] : []),
      ...(f.since !== undefined ? [sql`ts >= ${f.since}`] : []),
      ...(f.until !== undefined ? [sql`ts < ${f.until}`] : []),
    ],
    times: ['ts'],
  },
  trades: {
    columns: TRADE_COLUMNS,
    key: ['pool_id', 'block_timestamp', 'id'],
    keySql: ['pool_id', 'block_timestamp', 'id'],
    from: sql`trades`,
    conditions: (f) => [
      ...(f.poolId !== undefined ? [sql`pool_id = ${f.poolId}`] : []),
      ...(f.since !== undefined ? [sql`block_timestamp >= ${f.since}`] : []),
      ...(f.until !== undefined ? [sql`block_timestamp < ${f.until}`] : []),
    ],
    times: ['block_timestamp'],
  },
  pools: {
    columns: POOL_COLUMNS,
    key: ['id'],
    keySql: ['p.id'],
    from: sql`pools p left join tokens b on b.id = p.base_token_id left join tokens q on q.id = p.quote_token_id`,
    conditions: (f) => [
      ...(f.poolId !== undefined ? [sql`p.id = ${f.poolId}`] : []),
      ...(f.since !== undefined ? [sql`p.pool_created_at >= ${f.since}`] : []),
      ...(f.until !== undefined ? [sql`p.pool_created_at < ${f.until}`] : []),
    ],
    times: ['pool_created_at', 'updated_at'],
  },
};

function selectList(dataset: Dataset): RawBuilder<unknown> {
  if (dataset !== 'pools') return sql.raw(QUERIES[dataset].columns.join(', '));
  const renamed: Record<string, string> = { base_token_name: 'b.name', base_token_symbol: 'b.symbol', quote_token_name: 'q.name', quote_token_symbol: 'q.symbol' };
  return sql.raw(POOL_COLUMNS.map((c) => `${renamed[c] ?? `p.${c}`} as ${c}`).join(', '));
}

export function datasetColumns(dataset: Dataset): readonly string[] {
  return QUERIES[dataset].columns;
}

export function timeColumns(dataset: Dataset): readonly string[] {
  return QUERIES[dataset].times;
}

export async function countRows(store: Store, dataset: Dataset, filter: ExportFilter): Promise<number> {
  const q = QUERIES[dataset];
  const where = q.conditions(filter);
  const result = await sql<{ n: number | string }>`select count(*) as n from ${q.from} ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}`.execute(store.db);
  return Number(result.rows[0]?.n ?? 0);
}

/** Pages of rows in key order; each page is read by its own short query (no long read transaction). */
export async function* pagesOf(store: Store, dataset: Dataset, filter: ExportFilter, pageSize = 5_000): AsyncGenerator<Row[]> {
  const q = QUERIES[dataset];
  let after: unknown[] | undefined;
  for (;;) {
    const where = [...q.conditions(filter)];
    if (after) where.push(sql`(${sql.raw(q.keySql.join(', '))}) > (${sql.join(after)})`);
    const result = await sql<Row>`select ${selectList(dataset)} from ${q.from} ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``} order by ${sql.raw(q.keySql.join(', '))} limit ${pageSize}`.execute(store.db);
    const rows = result.rows;
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1] as Row;
    after = q.key.map((k) => last[k]);
  }
}
