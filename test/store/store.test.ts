/** The store itself: URL forms, write scope, FIFO order, hooks, probe, options from config. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { defer } from '../support/cleanup.ts';
import { configSchema } from '../../src/config/schema.ts';
import { insideWriteTransaction, runInWriteScope } from '../../src/lib/write-scope.ts';
import { openStore, parseDatabaseUrl, storeOptionsFromConfig } from '../../src/store/index.ts';
import { makePool } from '../support/records.ts';
import { tempDir } from '../support/temp-dir.ts';
import { DIALECTS, freshStore } from './dialects.ts';

test('database URL forms', () => {
  assert.deepEqual(parseDatabaseUrl('sqlite::memory:'), { dialect: 'sqlite', path: ':memory:' });
  assert.deepEqual(parseDatabaseUrl('sqlite:/var/db/gtc.sqlite'), { dialect: 'sqlite', path: '/var/db/gtc.sqlite' });
  assert.deepEqual(parseDatabaseUrl('/var/db/gtc.sqlite'), { dialect: 'sqlite', path: '/var/db/gtc.sqlite' });
  assert.equal(parseDatabaseUrl('sqlite:./data/gtc.sqlite').dialect, 'sqlite');
  assert.ok(parseDatabaseUrl('data/gtc.sqlite').dialect === 'sqlite');
  assert.deepEqual(parseDatabaseUrl('postgres://u@h:5432/db'), { dialect: 'postgres', url: 'postgres://u@h:5432/db' });
  assert.equal(parseDatabaseUrl('postgresql://u@h/db').dialect, 'postgres');
});

test('write scope is set inside a write callback (across awaits) and nowhere else', async () => {
  assert.equal(insideWriteTransaction(), false);
  assert.equal(await runInWriteScope(async () => {
    await new Promise((r) => setTimeout(r, 1));
    return insideWriteTransaction();
  }), true);
  assert.equal(insideWriteTransaction(), false);
  const store = await openStore({ url: 'sqlite::memory:' });
  try {
    const seen = await store.write(async (tx) => {
      const before = insideWriteTransaction();
      await tx.pools.upsert([makePool(1)]);
      await new Promise((r) => setImmediate(r));
      return [before, insideWriteTransaction()];
    });
    assert.deepEqual(seen, [true, true]);
    assert.equal(insideWriteTransaction(), false);
  } finally {
    await store.close();
  }
});

test('SQLite: parent folder created; writes of one process commit in request order; hooks report lock wait and commits', async (t) => {
  const file = join(tempDir(t), 'nested', 'deeper', 'gtc.sqlite');
  const waits: number[] = [];
  const commits: { attempts: number; label?: string }[] = [];
  const store = await openStore({ url: file, hooks: { onLockWait: (ms) => waits.push(ms), onCommit: (e) => commits.push(e) } });
  defer(t, () => store.close());
  assert.ok(existsSync(file));
  const order: number[] = [];
  await Promise.all(Array.from({ length: 50 }, (_, i) => store.write(async (tx) => {
    if (i % 7 === 0) await new Promise((r) => setTimeout(r, 1));
    order.push(i);
    await tx.checkpoints.set('order', String(i), String(i), i);
  }, { label: `w${i}` })));
  assert.deepEqual(order, Array.from({ length: 50 }, (_, i) => i));
  assert.equal(waits.length, 50);
  assert.ok(waits.every((w) => w >= 0));
  assert.equal(commits.length, 50);
  assert.deepEqual(commits[3], { ...commits[3], attempts: 1, label: 'w3' });
  await store.close();
  await assert.rejects(store.write(async () => 1), /closed/);
});

test('options from the configuration file', () => {
  const config = configSchema.parse({ database: { url: 'sqlite:x.sqlite', synchronous: 'FULL', busyTimeout: '2s', maxRetryWait: '1m' } });
  const options = storeOptionsFromConfig(config.database, { migrate: false });
  assert.deepEqual(options, {
    url: 'sqlite:x.sqlite', synchronous: 'FULL', busyTimeoutMs: 2000, maxRetryWaitMs: 60_000, retryBaseDelayMs: 20, retryMaxDelayMs: 2000,
    breakerThreshold: 5, breakerHalfOpenAfterMs: 5000, poolSize: 10, migrate: false,
  });
});

for (const dialect of DIALECTS) {
  describe(`probe on ${dialect.name}`, { skip: dialect.skip }, () => {
    test('reports latency, write-lock wait and dialect details; integrity ok', async (t) => {
      const store = await freshStore(t, dialect);
      await store.write((tx) => tx.pools.upsert(Array.from({ length: 100 }, (_, i) => makePool(i))));
      await store.checkpoint();
      const probe = await store.probe();
      assert.equal(probe.ok, true, probe.error);
      assert.equal(probe.dialect, dialect.name);
      assert.ok(probe.latencyMs >= 0 && probe.writeLockWaitMs >= 0);
      if (dialect.name === 'sqlite') {
        assert.ok((probe.pageCount ?? 0) > 0);
        assert.equal(typeof probe.freelistCount, 'number');
        assert.equal(typeof probe.walSizeBytes, 'number');
        assert.ok((probe.lastCheckpointAt ?? 0) > 0);
      } else {
        assert.ok((probe.pool?.total ?? 0) >= 1);
        assert.equal(probe.pool?.waiting, 0);
      }
      assert.equal(await store.integrityCheck(), 'ok');
    });
  });
}

test('probe of an unreachable PostgreSQL server says so instead of throwing', async () => {
  const store = await openStore({ url: 'postgres://nobody@127.0.0.1:1/none', migrate: false, maxRetryWaitMs: 200 });
  try {
    const probe = await store.probe();
    assert.equal(probe.ok, false);
    assert.match(probe.error ?? '', /ECONNREFUSED|connect/);
    await assert.rejects(store.write(async () => 1), (e: Error & { failureClass?: string }) => e.failureClass === 'db-down');
  } finally {
    await store.close();
  }
});
