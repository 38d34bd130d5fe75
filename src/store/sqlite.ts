/**
 * SQLite backend: one write connection per process (every write through one queue, each a
 * `BEGIN IMMEDIATE … COMMIT`, so the write lock is taken up front and a read never has to be
 * upgraded to a write), and a second, query-only connection for reads. WAL lets reads proceed
 * while another process writes.
 *
 * Writes compile through Kysely but run through better-sqlite3 statements prepared once per SQL
 * text (the repositories produce a few statement shapes per table).
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Backend, DatabaseProbe } from './backend.ts';
import { migrateToLatest } from './migrations/index.ts';
import type { RawResult, RepoContext } from './repositories/context.ts';
import type { Database } from './schema.ts';
import { SerialQueue, type QueueOptions, type Step } from './serial-queue.ts';

export interface SqliteBackendOptions {
  path: string;
  synchronous: 'NORMAL' | 'FULL';
  busyTimeoutMs: number;
  /** How often a PASSIVE WAL checkpoint runs (0: never; SQLite still auto-checkpoints). */
  checkpointEveryMs: number;
  /** 'deferred' only for the chaos baseline (the replaced system's BEGIN); see StoreOptions.sqliteBegin. */
  begin?: 'immediate' | 'deferred';
}

const STATEMENT_CACHE_SIZE = 256;

/** Prepared statements by SQL text, oldest evicted first. */
class StatementCache {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly connection: BetterSqlite3.Database) {}

  get(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.connection.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.statements.keys().next().value as string;
        this.statements.delete(oldest);
      }
      this.statements.set(sql, statement);
    }
    return statement;
  }

  run(sql: string, parameters: readonly unknown[]): RawResult {
    const statement = this.get(sql);
    if (statement.reader) return { changes: 0, rows: statement.all(parameters) as Record<string, unknown>[] };
    return { changes: statement.run(parameters).changes, rows: [] };
  }
}

export class SqliteBackend implements Backend {
  readonly dialect = 'sqlite' as const;
  readonly readDb: Kysely<Database>;
  readonly readContext: RepoContext;
  private readonly writer: BetterSqlite3.Database;
  private readonly reader: BetterSqlite3.Database;
  private readonly writeDb: Kysely<Database>;
  private readonly writeContext: RepoContext;
  private readonly queue = new SerialQueue();
  private readonly statements: StatementCache;
  private readonly begin: BetterSqlite3.Statement;
  private readonly commit: BetterSqlite3.Statement;
  private readonly rollback: BetterSqlite3.Statement;
  private readonly checkpointTimer: NodeJS.Timeout | undefined;
  private lastCheckpointAt: number | undefined;

  constructor(private readonly options: SqliteBackendOptions) {
    const memory = options.path === ':memory:';
    if (!memory) mkdirSync(dirname(options.path), { recursive: true });
    this.writer = new BetterSqlite3(options.path);
    // busy_timeout first: switching to WAL needs a lock another process may hold right now.
    this.writer.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
    if (!memory) this.writer.pragma('journal_mode = WAL');
    this.writer.pragma(`synchronous = ${options.synchronous}`);
    this.writer.pragma('foreign_keys = ON');
    // A second connection to ':memory:' would be a different database, so memory stores share one.
    this.reader = memory ? this.writer : new BetterSqlite3(options.path);
    if (!memory) {
      this.reader.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
      this.reader.pragma('foreign_keys = ON');
      this.reader.pragma('query_only = ON');
    }
    this.statements = new StatementCache(this.writer);
    this.begin = this.writer.prepare(options.begin === 'deferred' ? 'BEGIN' : 'BEGIN IMMEDIATE');
    this.commit = this.writer.prepare('COMMIT');
    this.rollback = this.writer.prepare('ROLLBACK');

    const sqlCache = new Map<string, string>();
    this.writeDb = new Kysely<Database>({ dialect: new SqliteDialect({ database: this.writer }) });
    this.readDb = new Kysely<Database>({ dialect: new SqliteDialect({ database: this.reader }) });
    this.writeContext = { dialect: 'sqlite', db: this.writeDb, sqlCache, run: async (sql, params) => this.statements.run(sql, params) };
    const readStatements = new StatementCache(this.reader);
    this.readContext = { dialect: 'sqlite', db: this.readDb, sqlCache, run: async (sql, params) => readStatements.run(sql, params) };

    if (!memory && options.checkpointEveryMs > 0) {
      this.checkpointTimer = setInterval(() => void this.checkpoint().catch(() => undefined), options.checkpointEveryMs);
      this.checkpointTimer.unref();
    }
  }

  serialize<T>(task: (step: Step) => Promise<T>, options?: QueueOptions): Promise<T> {
    return this.queue.run(task, options);
  }

  async transaction<T>(work: (ctx: RepoContext) => Promise<T>, onLocked: () => void): Promise<T> {
    this.begin.run();
    try {
      onLocked();
      const value = await work(this.writeContext);
      this.commit.run();
      return value;
    } catch (error) {
      if (this.writer.inTransaction) this.rollback.run();
      throw error;
    }
  }

  migrate(): Promise<string[]> {
    // SQLite DDL is transactional; Kysely's SQLite adapter just does not use it. Holding
    // BEGIN IMMEDIATE makes concurrent migrating processes take turns, each all or nothing.
    return this.transaction(() => migrateToLatest(this.writeDb, 'sqlite'), () => undefined);
  }

  /** Runs a PASSIVE WAL checkpoint in turn with the writes (never inside one). */
  checkpoint(): Promise<void> {
    return this.queue.run((step) => step(async () => {
      if (this.options.path === ':memory:') return;
      this.writer.pragma('wal_checkpoint(PASSIVE)');
      this.lastCheckpointAt = Date.now();
    }));
  }

  probeWriteLock(): Promise<number> {
    const requested = performance.now();
    return this.queue.run((step) => step(async () => {
      this.begin.run();
      const waited = performance.now() - requested;
      this.rollback.run();
      return waited;
    }));
  }

  async details(): Promise<Partial<DatabaseProbe>> {
    const pageCount = Number(this.reader.pragma('page_count', { simple: true }));
    const freelistCount = Number(this.reader.pragma('freelist_count', { simple: true }));
    const details: Partial<DatabaseProbe> = { pageCount, freelistCount };
    if (this.options.path !== ':memory:') {
      try {
        details.walSizeBytes = statSync(`${this.options.path}-wal`).size;
      } catch {
        details.walSizeBytes = 0;
      }
    }
    if (this.lastCheckpointAt !== undefined) details.lastCheckpointAt = this.lastCheckpointAt;
    return details;
  }

  async integrityCheck(): Promise<string> {
    const rows = this.reader.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('\n');
  }

  async close(): Promise<void> {
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    await this.queue.run((step) => step(async () => undefined));
    await this.readDb.destroy();
    if (this.reader !== this.writer) {
      await this.writeDb.destroy();
    }
  }
}
