/**
 * Migration 0001: every core table of design.md §4 plus `api_budget`.
 *
 * One migration for both dialects; only column types differ:
 * - decimals: TEXT (SQLite; keeps the API's lexeme) / NUMERIC (PostgreSQL, unconstrained precision)
 * - times: integer unix seconds UTC — INTEGER (SQLite) / BIGINT (PostgreSQL). Same numbers, same code.
 * - booleans: INTEGER 0/1 on both.
 * No foreign keys: pages arrive in any order (a trade page may precede its pool's refresh), and
 * collectors write parent and child rows in the same transaction where it matters.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../url.ts';

// Migrations describe the schema as it was when written, so they use an untyped Kysely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- schema builder over tables that the typed Database may later change
type AnyDb = Kysely<any>;

export function initialMigration(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  const decimal = pg ? 'numeric' : 'text';
  const time = pg ? 'bigint' : 'integer';
  const bigint = pg ? 'bigint' : 'integer';

  async function up(db: AnyDb): Promise<void> {
    const table = (name: string) => db.schema.createTable(name).ifNotExists();
    const index = (name: string) => db.schema.createIndex(name).ifNotExists();
    const serialId = pg
      ? sql`id bigserial primary key`
      : sql`id integer primary key autoincrement`;

    await table('networks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('coingecko_asset_platform_id', 'text')
      .execute();

    await table('dexes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('network', 'text', (c) => c.notNull())
      .addColumn('dex_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .execute();
    await index('dexes_network').on('dexes').column('network').execute();

    await table('tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('network', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('symbol', 'text', (c) => c.notNull())
      .addColumn('decimals', 'integer')
      .addColumn('image_url', 'text')
      .addColumn('coingecko_coin_id', 'text')
      .execute();

    let pools = table('pools')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('network', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('dex_id', 'text')
      .addColumn('base_token_id', 'text')
      .addColumn('quote_token_id', 'text');
    for (const column of [
      'base_token_price_usd', 'quote_token_price_usd', 'base_token_price_native_currency',
      'quote_token_price_native_currency', 'base_token_price_quote_token', 'quote_token_price_base_token',
      'reserve_in_usd', 'fdv_usd', 'market_cap_usd', 'volume_usd_h24', 'price_change_h24',
    ]) pools = pools.addColumn(column, decimal);
    await pools
      .addColumn('transactions_h24', 'integer')
      .addColumn('price_change_percentage', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('volume_usd', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('transactions', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('pool_created_at', time)
      .addColumn('updated_at', time, (c) => c.notNull())
      .execute();
    await index('pools_network').on('pools').columns(['network', 'reserve_in_usd']).execute();
    await index('pools_name').on('pools').column('name').execute();

    let snapshots = table('pool_snapshots')
      .addColumn('pool_id', 'text', (c) => c.notNull())
      .addColumn('observed_at', time, (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull());
    for (const column of ['base_token_price_usd', 'quote_token_price_usd', 'reserve_in_usd', 'fdv_usd', 'market_cap_usd', 'volume_usd_h24']) {
      snapshots = snapshots.addColumn(column, decimal);
    }
    await snapshots
      .addColumn('transactions_h24', 'integer')
      .addColumn('price_change_h24', decimal)
      .addPrimaryKeyConstraint('pool_snapshots_pk', ['pool_id', 'observed_at', 'source'])
      .execute();
    await index('pool_snapshots_observed').on('pool_snapshots').column('observed_at').execute();

    await table('watchlist')
      .addColumn('pool_id', 'text', (c) => c.primaryKey())
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('score', decimal)
      .addColumn('added_at', time, (c) => c.notNull())
      .addColumn('updated_at', time, (c) => c.notNull())
      .addColumn('symbol', 'text')
      .addColumn('name', 'text')
      .addColumn('note', 'text')
      .addColumn('below_since', time)
      .execute();
    await index('watchlist_active').on('watchlist').column('active').execute();

    await table('ohlcv')
      .addColumn('pool_id', 'text', (c) => c.notNull())
      .addColumn('timeframe', 'text', (c) => c.notNull())
      .addColumn('ts', time, (c) => c.notNull())
      .addColumn('open', decimal)
      .addColumn('high', decimal)
      .addColumn('low', decimal)
      .addColumn('close', decimal)
      .addColumn('volume_usd', decimal)
      .addColumn('flags', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('ohlcv_pk', ['pool_id', 'timeframe', 'ts'])
      .execute();

    let trades = table('trades')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('pool_id', 'text', (c) => c.notNull())
      .addColumn('block_number', bigint)
      .addColumn('block_timestamp', time, (c) => c.notNull())
      .addColumn('tx_hash', 'text', (c) => c.notNull())
      .addColumn('tx_from_address', 'text')
      .addColumn('kind', 'text', (c) => c.notNull());
    for (const column of [
      'from_token_amount', 'to_token_amount', 'price_from_in_currency_token', 'price_to_in_currency_token',
      'price_from_in_usd', 'price_to_in_usd', 'volume_in_usd',
    ]) trades = trades.addColumn(column, decimal);
    await trades
      // The API may omit these; a trade without them is still a trade worth keeping.
      .addColumn('from_token_address', 'text')
      .addColumn('to_token_address', 'text')
      .execute();
    await index('trades_pool_time').on('trades').columns(['pool_id', 'block_timestamp']).execute();

    const t = sql.raw(time);
    await sql`create table if not exists collection_runs (
      ${serialId}, collector text not null, instance_id text not null, slot_start ${t},
      started_at ${t} not null, finished_at ${t}, status text not null,
      rows_written integer not null default 0, rejected integer not null default 0,
      error text, failure_class text)`.execute(db);
    await index('collection_runs_collector').on('collection_runs').columns(['collector', 'started_at']).execute();
    await index('collection_runs_status').on('collection_runs').columns(['status', 'started_at']).execute();

    await table('collector_state')
      .addColumn('collector', 'text', (c) => c.primaryKey())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('interval_s', 'integer', (c) => c.notNull())
      .addColumn('configured_interval_s', 'integer', (c) => c.notNull())
      .addColumn('next_run_at', time)
      .addColumn('last_run_at', time)
      .addColumn('last_success_at', time)
      .addColumn('last_error', 'text')
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('updated_at', time, (c) => c.notNull())
      .execute();

    await table('checkpoints')
      .addColumn('collector', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', time, (c) => c.notNull())
      .addPrimaryKeyConstraint('checkpoints_pk', ['collector', 'key'])
      .execute();

    await sql`create table if not exists data_gaps (
      ${serialId}, pool_id text not null, kind text not null, timeframe text not null default '',
      from_ts ${t} not null, to_ts ${t} not null, reason text not null,
      detected_at ${t} not null, resolved_at ${t})`.execute(db);
    await index('data_gaps_key').unique().on('data_gaps').columns(['pool_id', 'kind', 'timeframe', 'from_ts', 'to_ts']).execute();
    await index('data_gaps_open').on('data_gaps').columns(['resolved_at', 'pool_id']).execute();

    await table('slot_claims')
      .addColumn('collector', 'text', (c) => c.notNull())
      .addColumn('slot_start', time, (c) => c.notNull())
      .addColumn('instance_id', 'text', (c) => c.notNull())
      .addColumn('claimed_at', time, (c) => c.notNull())
      .addColumn('expires_at', time, (c) => c.notNull())
      .addColumn('finished_at', time)
      .addPrimaryKeyConstraint('slot_claims_pk', ['collector', 'slot_start'])
      .execute();

    await table('api_budget')
      .addColumn('budget_key', 'text', (c) => c.primaryKey())
      .addColumn('window_start', time, (c) => c.notNull())
      .addColumn('calls', 'integer', (c) => c.notNull())
      .execute();
  }

  return { up };
}
