/**
 * The typed schema of every table (snake_case columns), shared by both dialects.
 *
 * Storage conventions (the same on SQLite and PostgreSQL, so one code path serves both):
 * - Times are integer unix SECONDS, UTC (INTEGER on SQLite, BIGINT on PostgreSQL; the pg driver
 *   is told to parse BIGINT as a JS number, exact up to 2^53).
 * - Decimals are TEXT on SQLite and NUMERIC on PostgreSQL, always carried as strings.
 * - Booleans are INTEGER 0/1 on both (better-sqlite3 cannot bind booleans); repositories map them.
 * - Open-ended maps (price change per window, ...) are JSON text.
 */
import type { Generated } from 'kysely';

type Decimal = string | null;

export interface NetworksTable {
  id: string;
  name: string;
  coingecko_asset_platform_id: string | null;
}

export interface DexesTable {
  id: string;
  network: string;
  dex_id: string;
  name: string;
}

export interface TokensTable {
  id: string;
  network: string;
  address: string;
  name: string;
  symbol: string;
  decimals: number | null;
  image_url: string | null;
  coingecko_coin_id: string | null;
}

export interface PoolsTable {
  id: string;
  network: string;
  address: string;
  name: string;
  dex_id: string | null;
  base_token_id: string | null;
  quote_token_id: string | null;
  base_token_price_usd: Decimal;
  quote_token_price_usd: Decimal;
  base_token_price_native_currency: Decimal;
  quote_token_price_native_currency: Decimal;
  base_token_price_quote_token: Decimal;
  quote_token_price_base_token: Decimal;
  reserve_in_usd: Decimal;
  fdv_usd: Decimal;
  market_cap_usd: Decimal;
  volume_usd_h24: Decimal;
  price_change_h24: Decimal;
  transactions_h24: number | null;
  price_change_percentage: string;
  volume_usd: string;
  transactions: string;
  pool_created_at: number | null;
  updated_at: number;
}

export interface PoolSnapshotsTable {
  pool_id: string;
  observed_at: number;
  source: string;
  base_token_price_usd: Decimal;
  quote_token_price_usd: Decimal;
  reserve_in_usd: Decimal;
  fdv_usd: Decimal;
  market_cap_usd: Decimal;
  volume_usd_h24: Decimal;
  transactions_h24: number | null;
  price_change_h24: Decimal;
}

export interface WatchlistTable {
  pool_id: string;
  active: number;
  source: string;
  score: Decimal;
  added_at: number;
  updated_at: number;
  symbol: string | null;
  name: string | null;
  note: string | null;
  below_since: number | null;
}

export interface OhlcvTable {
  pool_id: string;
  timeframe: string;
  ts: number;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  volume_usd: Decimal;
  flags: number;
}

export interface TradesTable {
  id: string;
  pool_id: string;
  block_number: number | null;
  block_timestamp: number;
  tx_hash: string;
  tx_from_address: string | null;
  kind: string;
  from_token_amount: Decimal;
  to_token_amount: Decimal;
  price_from_in_currency_token: Decimal;
  price_to_in_currency_token: Decimal;
  price_from_in_usd: Decimal;
  price_to_in_usd: Decimal;
  volume_in_usd: Decimal;
  from_token_address: string | null;
  to_token_address: string | null;
}

export type RunStatus = 'running' | 'ok' | 'failed' | 'skipped' | 'abandoned';

export interface CollectionRunsTable {
  id: Generated<number>;
  collector: string;
  instance_id: string;
  slot_start: number | null;
  started_at: number;
  finished_at: number | null;
  status: RunStatus;
  rows_written: number;
  rejected: number;
  error: string | null;
  failure_class: string | null;
}

export interface CollectorStateTable {
  collector: string;
  state: string;
  consecutive_failures: number;
  interval_s: number;
  configured_interval_s: number;
  next_run_at: number | null;
  last_run_at: number | null;
  last_success_at: number | null;
  last_error: string | null;
  disabled: number;
  updated_at: number;
}

export interface CheckpointsTable {
  collector: string;
  key: string;
  value: string;
  updated_at: number;
}

export interface DataGapsTable {
  id: Generated<number>;
  pool_id: string;
  kind: string;
  /** '' when the gap has no timeframe (trades), so the natural key can be unique. */
  timeframe: string;
  from_ts: number;
  to_ts: number;
  reason: string;
  detected_at: number;
  resolved_at: number | null;
}

export interface SlotClaimsTable {
  collector: string;
  slot_start: number;
  instance_id: string;
  claimed_at: number;
  expires_at: number;
  finished_at: number | null;
}

export interface ApiBudgetTable {
  budget_key: string;
  window_start: number;
  calls: number;
}

export interface Database {
  networks: NetworksTable;
  dexes: DexesTable;
  tokens: TokensTable;
  pools: PoolsTable;
  pool_snapshots: PoolSnapshotsTable;
  watchlist: WatchlistTable;
  ohlcv: OhlcvTable;
  trades: TradesTable;
  collection_runs: CollectionRunsTable;
  collector_state: CollectorStateTable;
  checkpoints: CheckpointsTable;
  data_gaps: DataGapsTable;
  slot_claims: SlotClaimsTable;
  api_budget: ApiBudgetTable;
}

export type TableName = keyof Database;

export const TABLE_NAMES: readonly TableName[] = [
  'networks', 'dexes', 'tokens', 'pools', 'pool_snapshots', 'watchlist', 'ohlcv', 'trades',
  'collection_runs', 'collector_state', 'checkpoints', 'data_gaps', 'slot_claims', 'api_budget',
];
