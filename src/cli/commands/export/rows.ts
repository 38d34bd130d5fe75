/**
 * What `gtc export` reads: ohlcv, trades or pools, streamed in key order (by pool, then time),
 * never a whole table in memory and never OFFSET.
 *
 * The SQL is plain text with `?` parameters, shared by both dialects. It is written here rather
 * than with Kysely so that exporting a SQLite file loads neither Kysely nor the PostgreSQL driver
 * (together ~25 MB of memory: the export's whole budget is 150 MB).
 */
import BetterSqlite3 from 'better-sqlite3';
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

interface Query {
  text: string;
  params: unknown[];
}

interface DatasetQuery {
  /** Columns as exported, in order (the select list yields exactly these). */
  columns: string[];
  select: string;
  from: string;
  /** Keyset columns (unique together) in ORDER BY form, and their names in `columns`. */
  keySql: string[];
  key: string[];
  /** Column expressions the filters apply to. */
  pool: string;
  time: string;
  timeframe?: string;
  /** Columns holding unix seconds, exported as ISO times. */
  times: string[];
}

const TRADE_COLUMNS = ['id', 'pool_id', 'block_number', 'block_timestamp', 'tx_hash', 'tx_from_address', 'kind', 'from_token_address', 'to_token_address', 'from_token_amount', 'to_token_amount', 'price_from_in_usd', 'price_to_in_usd', 'price_from_in_currency_token', 'price_to_in_currency_token', 'volume_in_usd'];
const POOL_COLUMNS = ['id', 'network', 'address', 'name', 'dex_id', 'base_token_id', 'base_token_name', 'base_token_symbol', 'quote_token_id', 'quote_token_name', 'quote_token_symbol', 'base_token_price_usd', 'quote_token_price_usd', 'reserve_in_usd', 'fdv_usd', 'market_cap_usd', 'volume_usd_h24', 'price_change_h24', 'transactions_h24', 'pool_created_at', 'updated_at'];
const OHLCV_COLUMNS = ['pool_id', 'timeframe', 'ts', 'open', 'high', 'low', 'close', 'volume_usd', 'flags'];
const TOKEN_FIELDS: Record<string, string> = { base_token_name: 'b.name', base_token_symbol: 'b.symbol', quote_token_name: 'q.name', quote_token_symbol: 'q.symbol' };

const QUERIES: Record<Dataset, DatasetQuery> = {
  ohlcv: { columns: OHLCV_COLUMNS, select: OHLCV_COLUMNS.join(', '), from: 'ohlcv', keySql: ['pool_id', 'timeframe', 'ts'], key: ['pool_id', 'timeframe', 'ts'], pool: 'pool_id', time: 'ts', timeframe: 'timeframe', times: ['ts'] },
  trades: { columns: TRADE_COLUMNS, select: TRADE_COLUMNS.join(', '), from: 'trades', keySql: ['pool_id', 'block_timestamp', 'id'], key: ['pool_id', 'block_timestamp', 'id'], pool: 'pool_id', time: 'block_timestamp', times: ['block_timestamp'] },
  pools: {
    columns: POOL_COLUMNS,
    select: POOL_COLUMNS.map((c) => `${TOKEN_FIELDS[c] ?? `p.${c}`} as ${c}`).join(', '),
    from: 'pools p left join tokens b on b.id = p.base_token_id left join tokens q on q.id = p.quote_token_id',
    keySql: ['p.id'],
    key: ['id'],
    pool: 'p.id',
    time: 'p.pool_created_at',
    times: ['pool_created_at', 'updated_at'],
  },
};

export function datasetColumns(dataset: Dataset): readonly string[] {
  return QUERIES[dataset].columns;
}

export function timeColumns(dataset: Dataset): readonly string[] {
  return QUERIES[dataset].times;
}

function where(dataset: Dataset, filter: ExportFilter, after?: unknown[]): Query {
  const q = QUERIES[dataset];
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (text: string, ...values: unknown[]): void => {
    parts.push(text);
    params.push(...values);
  };
  if (filter.poolId !== undefined) add(`${q.pool} = ?`, filter.poolId);
  if (filter.timeframe !== undefined && q.timeframe) add(`${q.timeframe} = ?`, filter.timeframe);
  if (filter.since !== undefined) add(`${q.time} >= ?`, filter.since);
  if (filter.until !== undefined) add(`${q.time} < ?`, filter.until);
  if (after) add(`(${q.keySql.join(', ')}) > (${after.map(() => '?').join(', ')})`, ...after);
  return { text: parts.length ? ` where ${parts.join(' and ')}` : '', params };
}

function rowsQuery(dataset: Dataset, filter: ExportFilter, after?: unknown[], limit?: number): Query {
  const q = QUERIES[dataset];
  const w = where(dataset, filter, after);
  return { text: `select ${q.select} from ${q.from}${w.text} order by ${q.keySql.join(', ')}${limit ? ` limit ${Math.floor(limit)}` : ''}`, params: w.params };
}

function countQuery(dataset: Dataset, filter: ExportFilter): Query {
  const w = where(dataset, filter);
  return { text: `select count(*) as n from ${QUERIES[dataset].from}${w.text}`, params: w.params };
}

/** Where export reads from. Rows are arrays in `datasetColumns` order, delivered in pages. */
export interface ExportSource {
  count(dataset: Dataset, filter: ExportFilter): Promise<number>;
  pages(dataset: Dataset, filter: ExportFilter, pageSize?: number): AsyncGenerator<unknown[][]>;
  close(): Promise<void>;
}

/** SQLite: one statement iterated row by row (better-sqlite3 `.iterate()`) on a read-only connection: one snapshot, nothing buffered. */
export function sqliteSource(path: string): ExportSource {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return {
    async count(dataset, filter) {
      const q = countQuery(dataset, filter);
      return Number((db.prepare(q.text).get(...q.params) as { n: number }).n);
    },
    async *pages(dataset, filter, pageSize = 500) {
      const q = rowsQuery(dataset, filter);
      let page: unknown[][] = [];
      for (const row of db.prepare(q.text).raw(true).iterate(...q.params) as IterableIterator<unknown[]>) {
        page.push(row);
        if (page.length >= pageSize) {
          yield page;
          page = [];
        }
      }
      if (page.length) yield page;
    },
    async close() {
      db.close();
    },
  };
}

/** PostgreSQL: keyset pages through the store, each its own short query, so no transaction stays open. */
export function storeSource(store: Store): ExportSource {
  const run = async (q: Query): Promise<Record<string, unknown>[]> => {
    const { CompiledQuery } = await import('kysely');
    let n = 0;
    const text = store.dialect === 'postgres' ? q.text.replace(/\?/g, () => `$${++n}`) : q.text;
    return (await store.db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, q.params))).rows;
  };
  return {
    async count(dataset, filter) {
      return Number((await run(countQuery(dataset, filter)))[0]?.n ?? 0);
    },
    async *pages(dataset, filter, pageSize = 1_000) {
      const q = QUERIES[dataset];
      const keyIndexes = q.key.map((k) => q.columns.indexOf(k));
      let after: unknown[] | undefined;
      for (;;) {
        const rows = (await run(rowsQuery(dataset, filter, after, pageSize))).map((row) => q.columns.map((c) => row[c]));
        if (rows.length === 0) return;
        // the key is taken before yielding: the consumer may rewrite the rows (times as ISO text)
        const last = rows[rows.length - 1] as unknown[];
        after = keyIndexes.map((i) => last[i]);
        yield rows;
        if (rows.length < pageSize) return;
      }
    },
    close: () => store.close(),
  };
}
