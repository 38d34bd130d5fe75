import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { Dialect } from '../url.ts';

export interface RawResult {
  /** Rows inserted, updated or deleted (for INSERT … ON CONFLICT DO NOTHING: rows inserted). */
  changes: number;
  rows: Record<string, unknown>[];
}

/** Runs compiled SQL on the connection the repository is bound to. */
export type RawRunner = (sql: string, parameters: readonly unknown[]) => Promise<RawResult>;

/**
 * What a repository is bound to: inside `store.write` the transaction's connection, for
 * `store.read` the read connection (SQLite) or the pool (PostgreSQL).
 */
export interface RepoContext {
  readonly dialect: Dialect;
  readonly db: Kysely<Database>;
  readonly run: RawRunner;
  /** SQL text compiled once per statement shape, shared by every transaction of a store. */
  readonly sqlCache: Map<string, string>;
}
