/**
 * Repositories bound to one connection. Inside `store.write(fn)` the callback gets all of them
 * bound to the transaction (`WriteTx`); `store.read` exposes only their read methods.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { Dialect } from '../url.ts';
import type { RepoContext } from './context.ts';
import { ApiBudgetRepository, SlotClaimsRepository } from './coordination.ts';
import { DataGapsRepository } from './gaps.ts';
import { CandlesRepository } from './ohlcv.ts';
import { PoolSnapshotsRepository, PoolsRepository } from './pools.ts';
import { DexesRepository, NetworksRepository, TokensRepository } from './reference.ts';
import { RunsRepository } from './runs.ts';
import { CheckpointsRepository, CollectorStateRepository } from './state.ts';
import { StatsRepository } from './stats.ts';
import { TradesRepository } from './trades.ts';
import { WatchlistRepository } from './watchlist.ts';

export interface Repositories {
  networks: NetworksRepository;
  dexes: DexesRepository;
  tokens: TokensRepository;
  pools: PoolsRepository;
  snapshots: PoolSnapshotsRepository;
  watchlist: WatchlistRepository;
  candles: CandlesRepository;
  trades: TradesRepository;
  runs: RunsRepository;
  collectorState: CollectorStateRepository;
  checkpoints: CheckpointsRepository;
  gaps: DataGapsRepository;
  slotClaims: SlotClaimsRepository;
  apiBudget: ApiBudgetRepository;
  stats: StatsRepository;
}

/** What a write callback receives: the repositories and, for rare cases, the transaction itself. */
export interface WriteTx extends Repositories {
  readonly dialect: Dialect;
  /** The Kysely handle of this transaction (same connection, same commit). */
  readonly db: Kysely<Database>;
}

/** The read side of every repository (no method here writes). */
export interface ReadRepositories {
  networks: Pick<NetworksRepository, 'list'>;
  dexes: Pick<DexesRepository, 'list'>;
  tokens: Pick<TokensRepository, 'byIds'>;
  pools: Pick<PoolsRepository, 'byId' | 'byIds' | 'search'>;
  snapshots: Pick<PoolSnapshotsRepository, 'forPool'>;
  watchlist: Pick<WatchlistRepository, 'get' | 'list'>;
  candles: Pick<CandlesRepository, 'newestTs' | 'newestAll' | 'range'>;
  trades: Pick<TradesRepository, 'timeRange' | 'existingIds' | 'range'>;
  runs: Pick<RunsRepository, 'get' | 'recent' | 'newestStartWithRows'>;
  collectorState: Pick<CollectorStateRepository, 'get' | 'list'>;
  checkpoints: Pick<CheckpointsRepository, 'get' | 'list'>;
  gaps: Pick<DataGapsRepository, 'list' | 'listOpen'>;
  slotClaims: Pick<SlotClaimsRepository, 'get'>;
  apiBudget: Pick<ApiBudgetRepository, 'peek'>;
  stats: StatsRepository;
}

export function createRepositories(ctx: RepoContext): Repositories {
  return {
    networks: new NetworksRepository(ctx),
    dexes: new DexesRepository(ctx),
    tokens: new TokensRepository(ctx),
    pools: new PoolsRepository(ctx),
    snapshots: new PoolSnapshotsRepository(ctx),
    watchlist: new WatchlistRepository(ctx),
    candles: new CandlesRepository(ctx),
    trades: new TradesRepository(ctx),
    runs: new RunsRepository(ctx),
    collectorState: new CollectorStateRepository(ctx),
    checkpoints: new CheckpointsRepository(ctx),
    gaps: new DataGapsRepository(ctx),
    slotClaims: new SlotClaimsRepository(ctx),
    apiBudget: new ApiBudgetRepository(ctx),
    stats: new StatsRepository(ctx),
  };
}

export function createWriteTx(ctx: RepoContext): WriteTx {
  return { ...createRepositories(ctx), dialect: ctx.dialect, db: ctx.db };
}

export type { RepoContext, RawResult, RawRunner } from './context.ts';
export type { BudgetUse, SlotClaim } from './coordination.ts';
export type { DataGap } from './gaps.ts';
export type { NewestCandle } from './ohlcv.ts';
export type { PoolSearch } from './pools.ts';
export type { RunFinish, RunRecord, RunStart } from './runs.ts';
export type { Checkpoint, CollectorStateRecord } from './state.ts';
export type { WatchedPool } from './watchlist.ts';
