/**
 * PostgreSQL backend: a pg Pool; each write is `BEGIN … COMMIT` on one pooled connection.
 *
 * Type parsing is set on this pool only (not pg's global registry): BIGINT (times, counts) is
 * parsed to a JS number — exact below 2^53 — and NUMERIC is returned as the server's text.
 * NUMERIC keeps every digit and trailing zeros ("1.50" stays "1.50"), so a decimal round-trips
 * byte-exact as long as it is written in plain notation, which is what the API sends; an
 * exponent ("1e-5"), a leading "+", leading zeros or a negative zero ("-0.0" → "0.0") would
 * come back normalised.
 */
import { performance } from 'node:perf_hooks';
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Backend, DatabaseProbe } from './backend.ts';
import { migrateToLatest } from './migrations/index.ts';
import type { RepoContext, RawRunner } from './repositories/context.ts';
import type { Database } from './schema.ts';
import type { Step } from './serial-queue.ts';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID) return (value: string) => Number(value);
    if (oid === NUMERIC_OID) return (value: string) => value;
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PostgresBackendOptions {
  url: string;
  poolSize: number;
  /** Errors of idle pooled connections (server restart, network drop) are reported here. */
  onIdleError?: (error: Error) => void;
}

export class PostgresBackend implements Backend {
  readonly dialect = 'postgres' as const;
  readonly readDb: Kysely<Database>;
  readonly readContext: RepoContext;
  private readonly pool: pg.Pool;
  private readonly sqlCache = new Map<string, string>();

  constructor(options: PostgresBackendOptions) {
    this.pool = new pg.Pool({ connectionString: options.url, max: options.poolSize, types, connectionTimeoutMillis: 10_000 });
    // Without listeners a connection's error (server restart, killed backend) would crash the
    // process: the pool covers idle connections, this covers checked-out ones, whose pending
    // query is rejected anyway and so retried by the write policy.
    this.pool.on('error', (error) => options.onIdleError?.(error));
    this.pool.on('connect', (client) => client.on('error', () => undefined));
    this.readDb = new Kysely<Database>({ dialect: new PostgresDialect({ pool: this.pool }) });
    this.readContext = { dialect: 'postgres', db: this.readDb, sqlCache: this.sqlCache, run: runnerFor(this.readDb) };
  }

  serialize<T>(task: (step: Step) => Promise<T>): Promise<T> {
    return task((attempt) => attempt());
  }

  transaction<T>(work: (ctx: RepoContext) => Promise<T>, onLocked: () => void): Promise<T> {
    return this.readDb.connection().execute(async (connection) => {
      await sql`begin`.execute(connection);
      try {
        onLocked();
        const value = await work({ dialect: 'postgres', db: connection, sqlCache: this.sqlCache, run: runnerFor(connection) });
        await sql`commit`.execute(connection);
        return value;
      } catch (error) {
        await sql`rollback`.execute(connection).catch(() => undefined);
        throw error;
      }
    });
  }

  migrate(): Promise<string[]> {
    return migrateToLatest(this.readDb, 'postgres');
  }

  async probeWriteLock(): Promise<number> {
    const requested = performance.now();
    return this.readDb.connection().execute(async (connection) => {
      await sql`begin`.execute(connection);
      const waited = performance.now() - requested;
      await sql`rollback`.execute(connection);
      return waited;
    });
  }

  async details(): Promise<Partial<DatabaseProbe>> {
    return { pool: { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount } };
  }

  async integrityCheck(): Promise<string> {
    await sql`select 1`.execute(this.readDb);
    return 'ok';
  }

  async close(): Promise<void> {
    await this.readDb.destroy();
  }
}

function runnerFor(db: Kysely<Database>): RawRunner {
  return async (text, parameters) => {
    const result = await db.executeQuery(CompiledQuery.raw(text, [...parameters]));
    return { changes: Number(result.numAffectedRows ?? 0n), rows: result.rows as Record<string, unknown>[] };
  };
}
