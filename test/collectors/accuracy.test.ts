/**
 * Six accelerated simulated hours, 50 watched pools, the simulator's default market, 30 calls a
 * minute (the simulator enforces it too): the database equals the simulator's truth. Every candle
 * the API served for every pool and timeframe is stored with the served values; every trade is
 * stored or inside a recorded gap, and every gap holds trades that were really lost; no duplicates
 * (primary keys) and no 429s. On SQLite; and shorter (2 h, 20 pools: every query is a network
 * round trip there) on PostgreSQL when GTC_TEST_PG_URL is set.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Timeframe } from '../../src/api/index.ts';
import { buildCollectors } from '../../src/collectors/index.ts';
import { intervalStart } from '../../src/collectors/ohlcv-window.ts';
import { freshPgDatabase, pgSkip } from '../support/postgres.ts';
import { tempDir } from '../support/temp-dir.ts';
import { startHarness, watchPools, type Harness } from './support/harness.ts';
import { runLoops } from './support/loops.ts';
import { checkCandles, checkTrades } from './support/truth.ts';

const TIMEFRAMES: Timeframe[] = ['5m', '1h', '1d'];

interface Scale {
  hours: number;
  pools: number;
}

async function collect(h: Harness, scale: Scale): Promise<{ pools: string[]; start: number; end: number }> {
  const pools = await watchPools(h, scale.pools);
  const start = h.clock.now();
  const end = start + scale.hours * 3_600_000;
  const instances = buildCollectors(h.deps, { collectors: ['watchlist', 'ohlcv', 'trades'] });
  await h.driver.drive(runLoops({ ...h.deps, logger: h.logger }, instances, end));
  return { pools, start, end };
}

async function assertDatabaseEqualsTruth(t: TestContext, h: Harness, scale: Scale): Promise<void> {
  const { hours } = scale;
  const { pools, start, end } = await collect(h, scale);
  const startS = Math.floor(start / 1000);
  const endS = Math.floor(end / 1000);
  const backfillS = h.config.collectors.ohlcv.backfillDays * 86_400;
  const candles = await checkCandles(h.store, h.sim.market.truth, pools, TIMEFRAMES, (tf) => intervalStart(startS - backfillS, tf), endS, (tf) => (tf === '1d' ? 86_400 : tf === '1h' ? 2 * 3600 : 2 * 900));
  const trades = await checkTrades(h.store, h.sim.market.truth, pools);
  const stats = h.sim.stats.snapshot();
  t.diagnostic(`${stats.total} API calls in ${hours} h (budget ${hours * 60 * 30}); candles ${candles.matched}/${candles.expected} in ${candles.units} units; trades ${trades.stored}/${trades.expected} stored, ${trades.inGaps} in ${trades.gaps} gaps`);
  assert.equal(stats.byStatus['429'] ?? 0, 0, 'never over the rate limit');
  assert.ok(stats.total <= hours * 60 * 30 + 1);
  assert.deepEqual(candles.wrong.slice(0, 5), []);
  assert.deepEqual(candles.lagging.slice(0, 5), []);
  assert.equal(candles.matched, candles.expected);
  assert.ok(candles.expected > scale.pools * 2016 * 0.2, 'a real amount of candles was compared');
  assert.deepEqual(trades.wrong.slice(0, 5), []);
  assert.deepEqual(trades.uncovered.slice(0, 5), []);
  assert.deepEqual(trades.emptyGaps, []);
  assert.equal(trades.stored + trades.inGaps, trades.expected);
  assert.ok(trades.expected > 1000, 'a real amount of trades was compared');
  const ohlcvGaps = await h.store.read.gaps.list({ kind: 'ohlcv' });
  assert.deepEqual(ohlcvGaps, [], 'no candle holes: the simulator serves a candle for every interval with trades');
  const runs = await h.store.read.runs.recent({ status: 'failed', limit: 5 });
  assert.deepEqual(runs, []);
}

test('6 simulated hours, 50 pools, 30 calls/min: the SQLite database equals the simulator\'s truth', { timeout: 180_000 }, async (t) => {
  const h = await startHarness({ dir: tempDir(t) });
  t.after(() => h.close());
  await assertDatabaseEqualsTruth(t, h, { hours: 6, pools: 50 });
});

test('2 simulated hours, 20 pools on PostgreSQL: the database equals the simulator\'s truth', { timeout: 180_000, ...pgSkip() }, async (t) => {
  const url = await freshPgDatabase(t);
  if (!url) return;
  const h = await startHarness({ dir: tempDir(t), url });
  t.after(() => h.close());
  await assertDatabaseEqualsTruth(t, h, { hours: 2, pools: 20 });
});
