/** The dialects every repository test runs on: a SQLite file, and PostgreSQL when configured. */
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { openStore, type Store, type StoreOptions } from '../../src/store/index.ts';
import { defer } from '../support/cleanup.ts';
import { freshPgDatabase, pgSkip } from '../support/postgres.ts';
import { tempDir } from '../support/temp-dir.ts';

export interface DialectCase {
  name: 'sqlite' | 'postgres';
  skip: string | false;
  /** A URL of a new, empty database that is removed after the test. */
  freshUrl(t: TestContext): Promise<string | undefined>;
}

export const DIALECTS: DialectCase[] = [
  { name: 'sqlite', skip: false, freshUrl: async (t) => `sqlite:${join(tempDir(t), 'gtc.sqlite')}` },
  { name: 'postgres', skip: pgSkip().skip, freshUrl: (t) => freshPgDatabase(t) },
];

/** Opens a migrated store on a fresh database, closed after the test. */
export async function freshStore(t: TestContext, dialect: DialectCase, options: Partial<StoreOptions> = {}): Promise<Store> {
  const url = await dialect.freshUrl(t);
  if (!url) throw new Error('no database');
  const store = await openStore({ url, ...options });
  defer(t, () => store.close());
  return store;
}
