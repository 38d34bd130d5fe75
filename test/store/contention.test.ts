/**
 * The incident, reproduced and prevented: 4 processes upsert overlapping pool pages into one
 * SQLite file. Through the store's write path nothing fails and the table is exactly the union of
 * what was written; the old pattern (deferred BEGIN, read, then write, no retry) fails.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runContention } from '../../bench/lib/contention.ts';
import { pagePools } from '../../bench/workers/contention-worker.ts';
import { openStore } from '../../src/store/index.ts';
import { makePool } from '../support/records.ts';
import { tempDir } from '../support/temp-dir.ts';

const WORKERS = 4;

async function freshFile(t: Parameters<typeof tempDir>[0]): Promise<string> {
  const file = join(tempDir(t), 'gtc.sqlite');
  await (await openStore({ url: `sqlite:${file}` })).close();
  return file;
}

test('4 processes × 10 s through the write path: zero failures, table == union of what was written', { timeout: 40_000 }, async (t) => {
  const file = await freshFile(t);
  const reports = await runContention(file, 'store', WORKERS, 10_000);
  const failed = reports.reduce((s, r) => s + r.failed, 0);
  const committed = reports.map((r) => r.committed);
  console.log(`# store: committed per process ${committed.join(', ')}; failed ${failed}; lock wait p99 ${Math.max(...reports.map((r) => r.lockWait.p99))} ms, max ${Math.max(...reports.map((r) => r.lockWait.max))} ms`);
  assert.equal(failed, 0, `failures: ${JSON.stringify(reports.map((r) => r.failures))}`);
  for (const c of committed) assert.ok(c > 0, 'every process committed');

  const expected = new Set<number>();
  for (const r of reports) for (let page = 0; page < r.committed; page++) for (const i of pagePools(r.worker, page)) expected.add(i);

  const store = await openStore({ url: `sqlite:${file}` });
  try {
    const rows = await store.read.pools.byIds(Array.from({ length: 400 }, (_, i) => makePool(i).id));
    assert.deepEqual(new Set(rows.map((p) => p.id)), new Set([...expected].map((i) => makePool(i).id)));
    for (const row of rows) assert.deepEqual(row, makePool(Number(row.address.slice('pool'.length))));
    // Every committed transaction left exactly its checkpoint: none lost, none applied twice.
    for (const r of reports) {
      const checkpoints = await store.read.checkpoints.list(`worker${r.worker}`);
      assert.equal(checkpoints.length, r.committed, `worker ${r.worker} checkpoints`);
    }
    assert.equal(await store.integrityCheck(), 'ok');
  } finally {
    await store.close();
  }
});

test('the old pattern (deferred BEGIN, read then write, no retry) fails under the same load', { timeout: 30_000 }, async (t) => {
  const file = await freshFile(t);
  const reports = await runContention(file, 'deferred', WORKERS, 5_000);
  const failed = reports.reduce((s, r) => s + r.failed, 0);
  const codes = reports.reduce<Record<string, number>>((all, r) => {
    for (const [code, n] of Object.entries(r.failures)) all[code] = (all[code] ?? 0) + n;
    return all;
  }, {});
  console.log(`# deferred baseline: committed ${reports.map((r) => r.committed).join(', ')}; failed ${failed} ${JSON.stringify(codes)}`);
  assert.ok(failed >= 1, 'the deferred read-then-write pattern must fail at least once');
  assert.ok(Object.keys(codes).every((c) => c.startsWith('SQLITE_BUSY')), `failures are busy errors: ${JSON.stringify(codes)}`);
});
