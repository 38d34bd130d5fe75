/** A PostgreSQL connection killed in the middle of a write transaction: the write is retried whole. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defer } from '../support/cleanup.ts';
import { sql } from 'kysely';
import pg from 'pg';
import { openStore, type RetryEvent } from '../../src/store/index.ts';
import { freshPgDatabase, pgSkip } from '../support/postgres.ts';
import { makePool } from '../support/records.ts';

test('a backend terminated mid-transaction: the write is retried (db-down) and applied exactly once', { ...pgSkip(), timeout: 30_000 }, async (t) => {
  const url = await freshPgDatabase(t);
  if (!url) return;
  const retries: RetryEvent[] = [];
  const store = await openStore({ url, hooks: { onRetry: (e) => retries.push(e) } });
  defer(t, () => store.close());
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  defer(t, () => admin.end());

  let attempts = 0;
  const written = await store.write(async (tx) => {
    attempts++;
    await tx.runs.start({ collector: 'victim', instanceId: 'test', startedAt: attempts });
    if (attempts === 1) {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx.db);
      await admin.query('select pg_terminate_backend($1)', [rows[0]?.pid]);
    }
    return tx.pools.upsert([makePool(1), makePool(2)]);
  });

  assert.equal(attempts, 2);
  assert.equal(written, 2);
  assert.equal(retries.length, 1);
  assert.equal(retries[0]?.failureClass, 'db-down');
  const runs = await store.read.runs.recent();
  assert.deepEqual(runs.map((r) => r.startedAt), [2], 'the killed attempt left nothing behind');
  assert.equal((await store.read.stats.tableCounts()).pools, 2);
});
