import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { defer } from './cleanup.ts';

export const PG_SKIP_REASON = 'GTC_TEST_PG_URL not set';

/** The PostgreSQL server URL tests use, or undefined (tests then skip with PG_SKIP_REASON). */
export function testPgUrl(): string | undefined {
  const url = process.env.GTC_TEST_PG_URL;
  return url && url.length > 0 ? url : undefined;
}

/** `{ skip: reason }` for node:test options when PostgreSQL is not configured; prints the reason once. */
export function pgSkip(): { skip: string | false } {
  if (testPgUrl()) return { skip: false };
  if (!reported) {
    reported = true;
    console.log(`# skipping PostgreSQL tests: ${PG_SKIP_REASON}`);
  }
  return { skip: PG_SKIP_REASON };
}
let reported = false;

interface TestLike {
  after(fn: () => void | Promise<void>): void;
  skip(message?: string): void;
}

async function admin<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates a uniquely named empty database on the server at `serverUrl`; `drop()` removes it. */
export async function createPgDatabase(serverUrl: string, prefix = 'gtc_test'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, (c) => c.query(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

/**
 * Creates a uniquely named, empty database on the server at GTC_TEST_PG_URL and returns its URL;
 * it is dropped (connections terminated) after the test, after cleanups registered later with
 * `defer` (stores and clients opened on it). Without GTC_TEST_PG_URL the test is
 * skipped with a printed reason and undefined is returned.
 */
export async function freshPgDatabase(t: TestLike): Promise<string | undefined> {
  const serverUrl = testPgUrl();
  if (!serverUrl) {
    console.log(`# skipped: ${PG_SKIP_REASON}`);
    t.skip(PG_SKIP_REASON);
    return undefined;
  }
  const database = await createPgDatabase(serverUrl);
  defer(t, () => database.drop());
  return database.url;
}
