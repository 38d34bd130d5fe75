/**
 * The store: one typed schema over SQLite or PostgreSQL, and ONE write path.
 *
 *   const store = await openStore({ url: 'sqlite:./data/gtc.sqlite' });
 *   const n = await store.write(async (tx) => {
 *     const written = await tx.pools.upsert(rows);
 *     await tx.checkpoints.set('top-pools:solana', 'page', '3', now);
 *     return written;
 *   }, { label: 'top-pools page' });
 *
 * A write callback receives only the transaction handle, runs inside the write scope (the API
 * client refuses to fetch there), may be run again after a retryable failure (each attempt is a
 * whole transaction, rolled back on failure), and must therefore do nothing but database work.
 */
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import type { GtcConfig } from '../config/schema.ts';
import { systemClock, type Clock } from '../lib/clock.ts';
import { errorMessage } from '../lib/errors.ts';
import { runInWriteScope } from '../lib/write-scope.ts';
import type { Backend, DatabaseProbe } from './backend.ts';
import { appliedMigrations, MIGRATION_NAMES } from './migrations/index.ts';
import { createRepositories, createWriteTx, type ReadRepositories, type WriteTx } from './repositories/index.ts';
import type { Database } from './schema.ts';
import type { SqliteBackend } from './sqlite.ts';
import { parseDatabaseUrl, type Dialect } from './url.ts';
import { WritePolicy, type BreakerState, type DbFailureClass, type WriteHooks } from './write-policy.ts';

export interface StoreOptions {
  url: string;
  synchronous?: 'NORMAL' | 'FULL';
  busyTimeoutMs?: number;
  /** Total time one write may spend backing off between attempts. */
  maxRetryWaitMs?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  breakerThreshold?: number;
  breakerHalfOpenAfterMs?: number;
  /** PostgreSQL pool size. */
  poolSize?: number;
  /** SQLite: how often to run a PASSIVE WAL checkpoint (default 60 s; 0 turns it off). */
  checkpointEveryMs?: number;
  clock?: Clock;
  hooks?: WriteHooks;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  /**
   * SQLite only, harness-only: 'deferred' begins write transactions with a plain BEGIN, as the
   * replaced system did (the chaos baseline). gtc itself always uses 'immediate'.
   */
  sqliteBegin?: 'immediate' | 'deferred';
}

export interface WriteOptions {
  /** Names the write in errors and hooks. */
  label?: string;
  /**
   * Jumps this process's write queue (SQLite): runs before every waiting write, also between the
   * retried attempts of the one in progress. Only for a few tiny statements that lose something
   * when they wait — a slot claim's renewal, whose lease expires meanwhile. Never for data.
   */
  urgent?: boolean;
}

export interface Store {
  readonly dialect: Dialect;
  /** Kysely over the read connection (SQLite: query-only) or the pool (PostgreSQL). For reads. */
  readonly db: Kysely<Database>;
  /** Read methods of every repository. */
  readonly read: ReadRepositories;
  readonly breakerState: BreakerState;
  /** Why the write breaker is not closed — 'db-locked' or 'db-down' — or null when it is closed. */
  readonly breakerOpenOn: DbFailureClass | null;
  /** Runs `work` as one write transaction, retried on busy/locked/dropped connections. */
  write<T>(work: (tx: WriteTx) => Promise<T>, options?: WriteOptions): Promise<T>;
  /** Applies pending migrations; resolves with the names applied (empty when up to date). */
  migrate(): Promise<string[]>;
  /** Migrations this build knows that the database has not applied. */
  pendingMigrations(): Promise<string[]>;
  /** SELECT 1 and the write lock taken and released; passing, it closes the write breaker and ends writes' retry waits. */
  probe(): Promise<DatabaseProbe>;
  /** SQLite `PRAGMA integrity_check` ("ok" when healthy); PostgreSQL: "ok" when reachable. */
  integrityCheck(): Promise<string>;
  /** SQLite: run a PASSIVE WAL checkpoint now (no-op on PostgreSQL). */
  checkpoint(): Promise<void>;
  close(): Promise<void>;
}

/** StoreOptions from the `database` section of the configuration (durations already in ms). */
export function storeOptionsFromConfig(database: GtcConfig['database'], extra: Partial<StoreOptions> = {}): StoreOptions {
  return {
    url: database.url,
    synchronous: database.synchronous,
    busyTimeoutMs: database.busyTimeout,
    maxRetryWaitMs: database.maxRetryWait,
    retryBaseDelayMs: database.retryBaseDelay,
    retryMaxDelayMs: database.retryMaxDelay,
    breakerThreshold: database.breakerThreshold,
    breakerHalfOpenAfterMs: database.breakerHalfOpenAfter,
    poolSize: database.poolSize,
    ...extra,
  };
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const target = parseDatabaseUrl(options.url);
  // Each backend (and its driver) is imported only for its dialect: pg alone costs a CLI command
  // on SQLite ~100 ms of start-up.
  const backend: Backend = target.dialect === 'sqlite'
    ? new (await import('./sqlite.ts')).SqliteBackend({
      path: target.path,
      synchronous: options.synchronous ?? 'NORMAL',
      busyTimeoutMs: options.busyTimeoutMs ?? 5000,
      checkpointEveryMs: options.checkpointEveryMs ?? 60_000,
      begin: options.sqliteBegin ?? 'immediate',
    })
    : new (await import('./postgres.ts')).PostgresBackend({ url: target.url, poolSize: options.poolSize ?? 10 });
  const store = new StoreImpl(backend, options);
  if (options.migrate !== false) {
    try {
      await store.migrate();
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
  }
  return store;
}

class StoreImpl implements Store {
  readonly dialect: Dialect;
  readonly db: Kysely<Database>;
  readonly read: ReadRepositories;
  private readonly policy: WritePolicy;
  private readonly hooks: WriteHooks;
  private closed = false;

  constructor(private readonly backend: Backend, options: StoreOptions) {
    this.dialect = backend.dialect;
    this.db = backend.readDb;
    this.read = createRepositories(backend.readContext);
    this.hooks = options.hooks ?? {};
    this.policy = new WritePolicy({
      clock: options.clock ?? systemClock,
      maxRetryWaitMs: options.maxRetryWaitMs ?? 30_000,
      retryBaseDelayMs: options.retryBaseDelayMs ?? 20,
      retryMaxDelayMs: options.retryMaxDelayMs ?? 2000,
      breakerThreshold: options.breakerThreshold ?? 5,
      breakerHalfOpenAfterMs: options.breakerHalfOpenAfterMs ?? 5000,
      hooks: this.hooks,
    });
  }

  get breakerState(): BreakerState {
    return this.policy.breakerState;
  }

  get breakerOpenOn(): DbFailureClass | null {
    return this.policy.breakerOpenOn;
  }

  write<T>(work: (tx: WriteTx) => Promise<T>, options: WriteOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    const requested = performance.now();
    return this.backend.serialize(async (step) => {
      let locked = 0;
      const { value, attempts } = await this.policy.execute(
        () => step(() => this.backend.transaction(
          (ctx) => runInWriteScope(() => work(createWriteTx(ctx))),
          () => {
            locked = performance.now();
            this.hooks.onLockWait?.(locked - requested);
          },
        )),
        options.label,
      );
      this.hooks.onCommit?.({ durationMs: performance.now() - locked, attempts, ...(options.label ? { label: options.label } : {}) });
      return value;
    }, { urgent: options.urgent === true });
  }

  migrate(): Promise<string[]> {
    return this.backend.serialize(async (step) => (await this.policy.execute(() => step(() => this.backend.migrate()), 'migrate')).value);
  }

  async pendingMigrations(): Promise<string[]> {
    const applied = new Set(await appliedMigrations(this.db, this.dialect));
    return MIGRATION_NAMES.filter((name) => !applied.has(name));
  }

  async probe(): Promise<DatabaseProbe> {
    const probe: DatabaseProbe = { dialect: this.dialect, ok: false, latencyMs: -1, writeLockWaitMs: -1 };
    try {
      const started = performance.now();
      await sql`select 1`.execute(this.db);
      probe.latencyMs = round(performance.now() - started);
      probe.writeLockWaitMs = round(await this.backend.probeWriteLock());
      Object.assign(probe, await this.backend.details());
      probe.ok = true;
      this.policy.noteDatabaseUp();
    } catch (error) {
      probe.error = errorMessage(error);
    }
    return probe;
  }

  integrityCheck(): Promise<string> {
    return this.backend.integrityCheck();
  }

  async checkpoint(): Promise<void> {
    if (this.backend.dialect === 'sqlite') await (this.backend as SqliteBackend).checkpoint();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.backend.close();
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export type { DatabaseProbe, PoolStats } from './backend.ts';
export type * from '../lib/records.ts';
export { CANDLE_FLAGS } from '../lib/records.ts';
export type { ReadRepositories, Repositories, WriteTx } from './repositories/index.ts';
export type * from './repositories/index.ts';
export type { Database, RunStatus, TableName } from './schema.ts';
export { TABLE_NAMES } from './schema.ts';
export { parseDatabaseUrl, type DatabaseTarget, type Dialect } from './url.ts';
export { classifyDbError, type BreakerState, type DbFailureClass, type RetryEvent, type WriteHooks } from './write-policy.ts';
