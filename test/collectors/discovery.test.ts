/**
 * Discovery on a real SQLite store: pools above the thresholds join the watchlist (source
 * `discovery`, with their score, best first, up to maxWatched), pools below for deactivateAfter
 * are deactivated and kept, manual entries are never touched. No API call is made.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ApiClient } from '../../src/api/index.ts';
import { activityScore } from '../../src/collectors/discovery.ts';
import { buildCollectors } from '../../src/collectors/index.ts';
import { validateConfig } from '../../src/config/index.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { createLogger } from '../../src/lib/log.ts';
import { openStore, type PoolRecord } from '../../src/store/index.ts';
import { tempDir } from '../support/temp-dir.ts';
import { runInstance } from './support/loops.ts';

function pool(i: number, reserve: string, volume: string, txs: number, at: number): PoolRecord {
  return {
    id: `solana_pool${i}`, network: 'solana', address: `pool${i}`, name: `P${i} / SOL`, dexId: 'raydium', baseTokenId: null, quoteTokenId: null,
    baseTokenPriceUsd: '1', quoteTokenPriceUsd: '150', baseTokenPriceNativeCurrency: null, quoteTokenPriceNativeCurrency: null, baseTokenPriceQuoteToken: null,
    quoteTokenPriceBaseToken: null, reserveInUsd: reserve, fdvUsd: null, marketCapUsd: null, volumeUsdH24: volume, priceChangeH24: '12.5', transactionsH24: txs,
    priceChangePercentage: { h24: '12.5' }, volumeUsd: { h24: volume }, transactions: {}, poolCreatedAt: null, updatedAt: at,
  };
}

test('discovery adds pools above the thresholds up to maxWatched, deactivates those below for long enough, never touches manual entries', async (t) => {
  const clock = new ManualClock(Date.UTC(2025, 5, 2));
  const store = await openStore({ url: `sqlite:${join(tempDir(t), 'gtc.sqlite')}`, clock });
  t.after(() => store.close());
  const config = validateConfig({ collectors: { discovery: { maxWatched: 4, deactivateAfter: '6h', minReserveUsd: 10_000, minVolume24hUsd: 50_000, minTransactions24h: 100 } } });
  // No API: discovery must not call it.
  const deps = { api: {} as ApiClient, store, config, clock, instanceId: 'test' };
  const loopDeps = { ...deps, logger: createLogger({ level: 'silent' }) };
  const [discovery] = buildCollectors(deps, { collectors: ['discovery'] });
  const now = () => Math.floor(clock.now() / 1000);

  await store.write(async (tx) => {
    await tx.pools.upsert([
      pool(1, '2000000', '9000000', 9000, now()), // best
      pool(2, '50000', '60000', 150, now()),
      pool(3, '900000', '400000', 2000, now()),
      pool(4, '5000', '900000', 5000, now()), // reserve too low
      pool(5, '300000', '200000', 800, now()),
      pool(6, '400000', '300000', 900, now()), // over capacity
      pool(7, '100', '10', 1, now()), // manual, far below
    ]);
    await tx.watchlist.upsert([{ poolId: 'solana_pool7', active: true, source: 'manual', score: null, addedAt: now(), updatedAt: now(), symbol: 'P7', name: null, note: 'mine', belowSince: null }]);
  });
  const first = await runInstance(loopDeps, discovery!);
  assert.equal(first.apiCalls, 0);
  assert.equal(first.details?.added, 3, 'capacity 4 minus the manual entry');
  let entries = new Map((await store.read.watchlist.list({ all: true })).map((e) => [e.poolId, e]));
  assert.deepEqual([...entries.keys()].sort(), ['solana_pool1', 'solana_pool3', 'solana_pool6', 'solana_pool7']);
  const best = entries.get('solana_pool1');
  assert.equal(best?.source, 'discovery');
  assert.equal(best?.score, activityScore(pool(1, '2000000', '9000000', 9000, 0), config.collectors.discovery));
  assert.equal(entries.get('solana_pool7')?.note, 'mine');

  // Pool 3 falls below the thresholds: marked, then deactivated after 6 h (kept, not deleted).
  await clock.advance(3_600_000);
  await store.write((tx) => tx.pools.upsert([pool(3, '900000', '1000', 20, now()), pool(1, '2000000', '9000000', 9000, now()), pool(6, '400000', '300000', 900, now()), pool(7, '100', '10', 1, now())]));
  await runInstance(loopDeps, discovery!);
  assert.equal((await store.read.watchlist.get('solana_pool3'))?.active, true);
  assert.notEqual((await store.read.watchlist.get('solana_pool3'))?.belowSince, null);
  await clock.advance(6 * 3_600_000);
  await store.write((tx) => tx.pools.upsert([pool(3, '900000', '1000', 20, now()), pool(1, '2000000', '9000000', 9000, now()), pool(6, '400000', '300000', 900, now()), pool(7, '100', '10', 1, now())]));
  const third = await runInstance(loopDeps, discovery!);
  assert.equal(third.details?.deactivated, 1);
  entries = new Map((await store.read.watchlist.list({ all: true })).map((e) => [e.poolId, e]));
  assert.equal(entries.get('solana_pool3')?.active, false, 'deactivated');
  assert.equal(entries.get('solana_pool5')?.active, true, 'the freed place goes to the next best pool');
  assert.equal(entries.size, 5, 'nothing deleted');
  const manual = entries.get('solana_pool7');
  assert.deepEqual([manual?.active, manual?.source, manual?.note, manual?.belowSince], [true, 'manual', 'mine', null], 'manual entries untouched');
});
