/**
 * 4 concurrent writers on one PostgreSQL database with overlapping keys (and keys repeated inside
 * a batch) never raise "ON CONFLICT DO UPDATE command cannot affect row a second time", never
 * fail, and leave exactly the union of what they wrote.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defer } from '../support/cleanup.ts';
import { openStore, type RetryEvent } from '../../src/store/index.ts';
import { freshPgDatabase, pgSkip } from '../support/postgres.ts';
import { makeCandle, makePool, makeTrade } from '../support/records.ts';

const WRITERS = 4;
const ROUNDS = 25;

/** Deterministic shuffle so writers lock rows in different orders. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

test('4 concurrent PostgreSQL writers with overlapping keys: no "second time" error, no failure, union stored', { ...pgSkip(), timeout: 60_000 }, async (t) => {
  const url = await freshPgDatabase(t);
  if (!url) return;
  const retries: RetryEvent[] = [];
  const stores = await Promise.all(Array.from({ length: WRITERS }, () => openStore({ url, poolSize: 2, hooks: { onRetry: (e) => retries.push(e) } })));
  defer(t, () => Promise.all(stores.map((s) => s.close())));

  const errors: unknown[] = [];
  const candleKeys = new Set<string>();
  await Promise.all(stores.map(async (store, w) => {
    for (let round = 0; round < ROUNDS; round++) {
      const start = (w * 40 + round * 17) % 300;
      const indexes = Array.from({ length: 120 }, (_, k) => (start + k) % 300);
      // Each batch repeats some keys: the last occurrence must win, inside one statement.
      const pools = shuffled([...indexes, ...indexes.slice(0, 30)].map((i) => makePool(i)), w * 1000 + round);
      const candles = shuffled([...indexes, ...indexes.slice(0, 30)].map((i) => makeCandle(i % 50, `solana_pool${i % 7}`)), round);
      for (const c of candles) candleKeys.add(`${c.poolId}|${c.ts}`);
      const trades = shuffled(indexes.map((i) => makeTrade(i)), w + round);
      try {
        await store.write(async (tx) => {
          await tx.pools.upsert(pools);
          await tx.candles.upsert(candles);
          await tx.trades.insert(trades);
        });
      } catch (error) {
        errors.push(error);
      }
    }
  }));

  const messages = errors.map((e) => String((e as Error).message));
  assert.ok(!messages.some((m) => /cannot affect row a second time/.test(m)), messages.join('\n'));
  assert.deepEqual(messages, []);
  const reader = stores[0];
  assert.ok(reader);
  const counts = await reader.read.stats.tableCounts();
  assert.equal(counts.pools, 300);
  assert.equal(counts.trades, 300);
  assert.equal(counts.ohlcv, candleKeys.size);
  for (const pool of await reader.read.pools.byIds(Array.from({ length: 300 }, (_, i) => makePool(i).id))) {
    assert.deepEqual(pool, makePool(Number(pool.address.slice(4))));
  }
  console.log(`# ${retries.length} retried attempts (${[...new Set(retries.map((r) => (r.error as { code?: string }).code))].join(', ') || 'none'})`);
});
