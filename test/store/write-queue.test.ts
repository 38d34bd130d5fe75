/**
 * The urgent lane of a process's write queue (SQLite), on a real file whose write lock another
 * connection holds: an urgent write (a slot claim's renewal) commits while the normal write in
 * progress backs off and before the normal writes queued behind it; it never runs inside another
 * write's open transaction.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { ManualClock } from '../../src/lib/clock.ts';
import { openStore, type RetryEvent, type Store } from '../../src/store/index.ts';
import { defer } from '../support/cleanup.ts';
import { tempDir } from '../support/temp-dir.ts';

async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function setKey(store: Store, key: string, committed: string[], urgent = false): Promise<void> {
  return store.write((tx) => tx.checkpoints.set('queue-test', key, key, 0), { label: key, urgent }).then(() => {
    committed.push(key);
  });
}

test('a write lock held elsewhere: the urgent write commits during the backoff of the write in progress, before the queued ones', { timeout: 20_000 }, async (t) => {
  const file = join(tempDir(t), 'gtc.sqlite');
  const clock = new ManualClock(Date.UTC(2025, 0, 1));
  const retries: RetryEvent[] = [];
  // Backoff runs on the manual clock: the retried write stays in its backoff until the test advances it.
  const store = await openStore({ url: `sqlite:${file}`, busyTimeoutMs: 10, clock, maxRetryWaitMs: 600_000, breakerThreshold: 1000, checkpointEveryMs: 0, hooks: { onRetry: (e) => retries.push(e) } });
  defer(t, () => store.close());
  const holder = new BetterSqlite3(file);
  defer(t, () => holder.close());

  holder.exec('BEGIN IMMEDIATE');
  const committed: string[] = [];
  const data = setKey(store, 'data-in-progress', committed);
  while (retries.length === 0) await settle();
  assert.equal(retries[0]?.failureClass, 'db-locked', 'the data write found the lock held and backs off');
  const queued = setKey(store, 'data-queued', committed);
  holder.exec('COMMIT');

  await setKey(store, 'renewal', committed, true);
  assert.deepEqual(committed, ['renewal'], 'the renewal committed while the data write was still backing off');

  await clock.advance(600_000);
  await Promise.all([data, queued]);
  assert.deepEqual(committed, ['renewal', 'data-in-progress', 'data-queued'], 'the normal writes still commit in request order');
});

test('an urgent write never runs inside a write whose transaction is open; it goes right after it', { timeout: 20_000 }, async (t) => {
  const file = join(tempDir(t), 'gtc.sqlite');
  const store = await openStore({ url: `sqlite:${file}`, checkpointEveryMs: 0 });
  defer(t, () => store.close());
  const committed: string[] = [];
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  const long = store.write(async (tx) => {
    await tx.checkpoints.set('queue-test', 'long', 'long', 0);
    open();
    await gate;
  }).then(() => committed.push('long'));
  await opened;
  const queued = setKey(store, 'queued', committed);
  const renewal = setKey(store, 'renewal', committed, true);
  await settle();
  assert.deepEqual(committed, [], 'nothing commits while the transaction is open');
  finish();
  await Promise.all([long, queued, renewal]);
  assert.deepEqual(committed, ['long', 'renewal', 'queued']);
});
