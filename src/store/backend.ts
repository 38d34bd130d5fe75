import type { Kysely } from 'kysely';
import type { RepoContext } from './repositories/context.ts';
import type { Database } from './schema.ts';
import type { QueueOptions, Step } from './serial-queue.ts';
import type { Dialect } from './url.ts';

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** Health of the database as `gtc db health` and /api/status report it. */
export interface DatabaseProbe {
  dialect: Dialect;
  ok: boolean;
  /** Round trip of `SELECT 1` on the read connection. */
  latencyMs: number;
  /** Time from asking for the write lock to holding it (BEGIN IMMEDIATE / BEGIN), then released. */
  writeLockWaitMs: number;
  walSizeBytes?: number;
  /** Epoch milliseconds of the last WAL checkpoint this process ran (SQLite). */
  lastCheckpointAt?: number;
  pageCount?: number;
  freelistCount?: number;
  pool?: PoolStats;
  error?: string;
}

/** What one dialect provides to the store; the store adds the queue-independent policy on top. */
export interface Backend {
  readonly dialect: Dialect;
  readonly readDb: Kysely<Database>;
  readonly readContext: RepoContext;
  /**
   * Runs `task` in turn with every other write of this process (SQLite: see SerialQueue, whose
   * urgent lane goes first) or at once (PostgreSQL); each transaction attempt goes through `step`.
   */
  serialize<T>(task: (step: Step) => Promise<T>, options?: QueueOptions): Promise<T>;
  /** One attempt of a write transaction; `onLocked` runs as soon as the write lock is held. */
  transaction<T>(work: (ctx: RepoContext) => Promise<T>, onLocked: () => void): Promise<T>;
  /** One attempt at applying pending migrations; resolves with the names applied. */
  migrate(): Promise<string[]>;
  /** Takes and releases the write lock; resolves with the ms it took to get it. */
  probeWriteLock(): Promise<number>;
  details(): Promise<Partial<DatabaseProbe>>;
  integrityCheck(): Promise<string>;
  close(): Promise<void>;
}
