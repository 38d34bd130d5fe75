/**
 * `npm run bench -- storage [--pages N] [--only sqlite|postgres]`
 *
 * Rows/s writing 1,000-row pages of pools, trades and candles through the repositories (one
 * store.write per page), against a baseline over the same rows in the same run:
 * - SQLite `raw-driver`: one better-sqlite3 prepared single-row statement (the same
 *   INSERT … ON CONFLICT) in a loop, one transaction per page.
 * - PostgreSQL `pg-copy-temp`: `COPY … FROM STDIN` (text format) of each page into a temporary
 *   table (unlogged, no index, no conflict handling), one transaction per page; and
 *   `pg-copy-temp-keyed`: the same into a temporary table with the real table's primary key and indexes.
 * Each measurement is the best of 3 rounds on fresh tables; "new" writes into empty tables,
 * "existing" writes the same rows again: pools are updated, trades are all known (nothing new),
 * candles are unchanged and so not rewritten (the repository skips identical rows); the baseline
 * always does its full work.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { openStore, type Store, type WriteTx } from '../src/store/index.ts';
import type { ColumnSpec, TableSpec } from '../src/store/repositories/batch.ts';
import { CANDLES } from '../src/store/repositories/ohlcv.ts';
import { POOLS } from '../src/store/repositories/pools.ts';
import { TRADES } from '../src/store/repositories/trades.ts';
import { createPgDatabase } from '../test/support/postgres.ts';
import { makeCandle, makePool, makeTrade } from '../test/support/records.ts';
import { tempDir } from '../test/support/temp-dir.ts';
import { ratio, report } from './lib/report.ts';

const PAGE = 1000;
const ROUNDS = 3;

export interface Kind<R> {
  name: 'pools' | 'trades' | 'candles';
  spec: TableSpec<R>;
  make(i: number): R;
  write(tx: WriteTx, rows: R[]): Promise<number>;
}

const KINDS = [
  { name: 'pools', spec: POOLS, make: (i: number) => makePool(i), write: (tx: WriteTx, rows) => tx.pools.upsert(rows) } satisfies Kind<ReturnType<typeof makePool>>,
  { name: 'trades', spec: TRADES, make: (i: number) => makeTrade(i, `solana_pool${i % 100}`), write: (tx: WriteTx, rows) => tx.trades.insert(rows) } satisfies Kind<ReturnType<typeof makeTrade>>,
  { name: 'candles', spec: CANDLES, make: (i: number) => makeCandle(i % 5000, `solana_pool${Math.floor(i / 5000)}`), write: (tx: WriteTx, rows) => tx.candles.upsert(rows) } satisfies Kind<ReturnType<typeof makeCandle>>,
] as Kind<unknown>[];

function pagesOf<R>(kind: Kind<R>, pages: number): R[][] {
  return Array.from({ length: pages }, (_, p) => Array.from({ length: PAGE }, (_, k) => kind.make(p * PAGE + k)));
}

/** The plain mapping a hand-written loop would do: field → value, maps as JSON text. */
function rawValues<R>(columns: readonly ColumnSpec<R>[], record: R): unknown[] {
  const r = record as Record<string, unknown>;
  return columns.map((c) => (c.kind === 'json' ? JSON.stringify(r[c.field]) : c.kind === 'bool' ? (r[c.field] ? 1 : 0) : (r[c.field] ?? null)));
}

async function timeStore<R>(store: Store, kind: Kind<R>, pages: R[][]): Promise<number> {
  const started = performance.now();
  for (const page of pages) await store.write((tx) => kind.write(tx, page));
  return (pages.length * PAGE) / ((performance.now() - started) / 1000);
}

function upsertSql<R>(spec: TableSpec<R>): string {
  const columns = spec.columns.map((c) => c.column);
  const conflict = `on conflict (${spec.key.join(', ')})`;
  const keep = new Set([...spec.key, ...(spec.keepOnUpdate ?? [])]);
  const action = spec.onConflict === 'ignore'
    ? 'do nothing'
    : `do update set ${columns.filter((c) => !keep.has(c)).map((c) => `${c} = excluded.${c}`).join(', ')}`;
  return `insert into ${spec.table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')}) ${conflict} ${action}`;
}

export function timeRawSqlite<R>(db: BetterSqlite3.Database, kind: Kind<R>, pages: R[][]): number {
  const statement = db.prepare(upsertSql(kind.spec));
  const started = performance.now();
  for (const page of pages) {
    db.exec('BEGIN IMMEDIATE');
    for (const record of page) statement.run(rawValues(kind.spec.columns, record));
    db.exec('COMMIT');
  }
  return (pages.length * PAGE) / ((performance.now() - started) / 1000);
}

async function benchSqlite(pageCount: number): Promise<void> {
  const dir = tempDir();
  for (const kind of KINDS) {
    const pages = pagesOf(kind, pageCount);
    const best = { ours: [0, 0], raw: [0, 0] };
    for (let round = 0; round < ROUNDS; round++) {
      const file = join(dir, `${kind.name}-${round}.sqlite`);
      const store = await openStore({ url: `sqlite:${file}`, checkpointEveryMs: 0 });
      await store.write((tx) => kind.write(tx, pages[0] as unknown[])); // warm-up: compile + prepare
      await store.write((tx) => tx.db.deleteFrom(kind.spec.table).execute());
      for (const pass of [0, 1]) best.ours[pass] = Math.max(best.ours[pass] as number, await timeStore(store, kind, pages));
      await store.close();

      const rawFile = join(dir, `${kind.name}-${round}-raw.sqlite`);
      await (await openStore({ url: `sqlite:${rawFile}` })).close();
      const db = new BetterSqlite3(rawFile);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      for (const pass of [0, 1]) best.raw[pass] = Math.max(best.raw[pass] as number, timeRawSqlite(db, kind, pages));
      db.close();
    }
    for (const [pass, label] of [[0, 'new'], [1, 'existing']] as const) {
      const value = Math.round(best.ours[pass] as number);
      const baselineValue = Math.round(best.raw[pass] as number);
      report({ bench: 'storage', metric: `sqlite.${kind.name}.${label}`, value, unit: 'rows/s', baseline: 'raw-driver', baselineValue, ratio: ratio(value, baselineValue), pageRows: PAGE, pages: pageCount });
    }
  }
}

/** One value in COPY's text format: NULL as \N; backslash, tab, newline and carriage return escaped. */
function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  return String(value).replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] as string);
}

/** COPY into a temporary table: `keyed` gives it the real table's primary key and indexes, otherwise none. */
async function timePgCopy<R>(client: pg.Client, kind: Kind<R>, pages: R[][], keyed: boolean): Promise<number> {
  const columns = kind.spec.columns.map((c) => c.column);
  const table = `bench_${kind.name}_${keyed ? 'keyed' : 'plain'}`;
  await client.query(`create temp table if not exists ${table} (like ${kind.spec.table}${keyed ? ' including all' : ''})`);
  await client.query(`truncate ${table}`);
  const text = `copy ${table} (${columns.join(', ')}) from stdin`;
  const started = performance.now();
  for (const page of pages) {
    await client.query('begin');
    const body = page.map((record) => rawValues(kind.spec.columns, record).map(copyText).join('\t')).join('\n') + '\n';
    await pipeline(Readable.from([body]), client.query(copyFrom(text)));
    await client.query('commit');
  }
  return (pages.length * PAGE) / ((performance.now() - started) / 1000);
}

async function benchPostgres(pageCount: number): Promise<void> {
  const serverUrl = process.env.GTC_BENCH_PG_URL || process.env.GTC_TEST_PG_URL;
  if (!serverUrl) {
    report({ bench: 'storage', metric: 'postgres', value: 0, unit: 'skipped', reason: 'GTC_BENCH_PG_URL / GTC_TEST_PG_URL not set' });
    return;
  }
  const database = await createPgDatabase(serverUrl, 'gtc_bench');
  try {
    const store = await openStore({ url: database.url, poolSize: 2 });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      for (const kind of KINDS) {
        const pages = pagesOf(kind, pageCount);
        const best = { ours: [0, 0], copy: 0, copyKeyed: 0 };
        await store.write((tx) => kind.write(tx, pages[0] as unknown[]));
        for (let round = 0; round < ROUNDS; round++) {
          await store.write((tx) => sql`truncate ${sql.table(kind.spec.table)}`.execute(tx.db));
          for (const pass of [0, 1]) best.ours[pass] = Math.max(best.ours[pass] as number, await timeStore(store, kind, pages));
          best.copy = Math.max(best.copy, await timePgCopy(client, kind, pages, false));
          best.copyKeyed = Math.max(best.copyKeyed, await timePgCopy(client, kind, pages, true));
        }
        for (const [pass, label] of [[0, 'new'], [1, 'existing']] as const) {
          const value = Math.round(best.ours[pass] as number);
          for (const [baseline, rate] of [['pg-copy-temp', best.copy], ['pg-copy-temp-keyed', best.copyKeyed]] as const) {
            const baselineValue = Math.round(rate);
            report({ bench: 'storage', metric: `postgres.${kind.name}.${label}`, value, unit: 'rows/s', baseline, baselineValue, ratio: ratio(value, baselineValue), pageRows: PAGE, pages: pageCount });
          }
        }
      }
    } finally {
      await client.end();
      await store.close();
    }
  } finally {
    await database.drop();
  }
}

export async function run(args: string[]): Promise<void> {
  const option = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const pages = Number(option('pages') ?? 20);
  const only = option('only');
  if (only !== 'postgres') await benchSqlite(pages);
  if (only !== 'sqlite') await benchPostgres(pages);
}
