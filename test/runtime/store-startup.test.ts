/** A daemon started while its database is unavailable waits for it instead of exiting. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/lib/clock.ts';
import { GtcError } from '../../src/lib/errors.ts';
import { createLogger } from '../../src/lib/log.ts';
import { openStoreWhenReady } from '../../src/runtime/store-startup.ts';
import { openStore, type Store } from '../../src/store/index.ts';

test('the database down or locked at start-up: opened again on the recovery backoff (2 s, 4 s, …) until it answers', async () => {
  const clock = new ManualClock(0);
  const triedAt: number[] = [];
  const failures = [new GtcError('db-down', 'migrate failed after 9 attempt(s): database is unreachable'), new GtcError('db-locked', 'migrate failed: database is locked')];
  const opening = openStoreWhenReady(async () => {
    triedAt.push(clock.now());
    const failure = failures.shift();
    if (failure) throw failure;
    return openStore({ url: 'sqlite::memory:' });
  }, { clock, logger: createLogger({ level: 'silent' }), backoff: [2_000, 60_000] });
  let store: Store | undefined;
  void opening.then((s) => (store = s));
  while (store === undefined) if (!(await clock.tick())) await new Promise((r) => setImmediate(r));
  assert.deepEqual(triedAt, [0, 2_000, 6_000]);
  assert.deepEqual(await store.pendingMigrations(), [], 'migrated once it answered');
  await store.close();
});

test('any other start-up error (a bad URL, a newer schema) ends it at once', async () => {
  const clock = new ManualClock(0);
  let tries = 0;
  await assert.rejects(openStoreWhenReady(async () => {
    tries++;
    throw new Error('the database schema is newer than this build');
  }, { clock, logger: createLogger({ level: 'silent' }), backoff: [2_000, 60_000] }), /newer than this build/);
  assert.equal(tries, 1);
});
