/**
 * kill -9 in the middle of collection, 30 simulated minutes down, restart: the OHLCV range missed
 * while down is backfilled without holes, and the trades made while down (still inside the API's
 * 24 h / 300-trade window) are recovered — the database equals the simulator's truth again. The
 * collectors run in a child process on an accelerated clock shared with the simulator here.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { ApiClient, type Timeframe } from '../../src/api/index.ts';
import { buildCollectors } from '../../src/collectors/index.ts';
import { intervalStart } from '../../src/collectors/ohlcv-window.ts';
import { validateConfig } from '../../src/config/index.ts';
import { createLogger } from '../../src/lib/log.ts';
import { startSimulator } from '../../src/sim/index.ts';
import { openStore } from '../../src/store/index.ts';
import { spawnTs } from '../support/child.ts';
import { tempDir } from '../support/temp-dir.ts';
import { AcceleratedClock } from './support/accelerated-clock.ts';
import { runInstance } from './support/loops.ts';
import { checkCandles, checkTrades } from './support/truth.ts';

const SPEED = 120;
const MINUTE = 60_000;
const WORKER = new URL('./workers/collect-worker.ts', import.meta.url).pathname;

test('kill -9 mid-collection, 30 simulated minutes down, restart: no candle holes, trades recovered', { timeout: 120_000 }, async (t) => {
  const clock = new AcceleratedClock({ simStart: Date.UTC(2025, 5, 2), realStart: Date.now(), speed: SPEED, offset: 0 });
  const sim = await startSimulator({ seed: 'crash', clock, poolsPerNetwork: 60 });
  t.after(() => sim.close());
  const url = `sqlite:${join(tempDir(t), 'gtc.sqlite')}`;
  const store = await openStore({ url, clock });
  t.after(() => store.close());
  const start = clock.now();
  const pools = sim.market.truth.pools().slice(0, 10).map((p) => p.id);
  const addedAt = Math.floor(start / 1000);
  await store.write((tx) => tx.watchlist.upsert(pools.map((poolId) => ({ poolId, active: true, source: 'manual' as const, score: null, addedAt, updatedAt: addedAt, symbol: null, name: null, note: null, belowSince: null }))));

  const spawnWorker = (): ChildProcess => {
    const child = spawnTs(WORKER, [JSON.stringify({ url, simUrl: sim.url, time: clock.time })]);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => process.stderr.write(d));
    return child;
  };
  const runningRuns = async (): Promise<number> => (await store.read.runs.recent({ status: 'running', limit: 10 })).length;
  const waitUntil = async (simTime: number, alsoRunning = false): Promise<void> => {
    while (clock.now() < simTime || (alsoRunning && (await runningRuns()) === 0)) await new Promise((resolve) => setTimeout(resolve, 20));
  };

  // Phase 1: collect for 20 simulated minutes, then kill -9 while a run is in progress.
  let child = spawnWorker();
  await waitUntil(start + 20 * MINUTE, true);
  child.kill('SIGKILL');
  await once(child, 'close');
  const killedAt = clock.now();
  const checkpointsBefore = await store.read.checkpoints.list('ohlcv');
  assert.equal(checkpointsBefore.length, pools.length * 3, 'every unit collected before the kill');
  assert.equal(await store.integrityCheck(), 'ok');

  // 30 simulated minutes down, then restart and let it catch up for 30 simulated minutes.
  clock.jump(30 * MINUTE);
  child = spawnWorker();
  await waitUntil(killedAt + 60 * MINUTE);
  child.kill('SIGKILL');
  await once(child, 'close');
  const end = clock.now();
  assert.equal(await store.integrityCheck(), 'ok');

  const startS = Math.floor(start / 1000);
  const endS = Math.floor(end / 1000);
  const fromS = (tf: Timeframe): number => intervalStart(startS - 7 * 86_400, tf);
  const candles = await checkCandles(store, sim.market.truth, pools, ['5m', '1h', '1d'], fromS, endS, (tf) => (tf === '1d' ? 86_400 : tf === '1h' ? 2 * 3600 : 2 * 900));
  assert.deepEqual(candles.wrong.slice(0, 5), []);
  assert.deepEqual(candles.lagging, [], 'every unit caught up past the downtime');
  assert.equal(candles.matched, candles.expected);
  // The downtime's 5m candles really were compared (caught up after the restart).
  const downtimeCandles = pools.reduce((n, id) => n + sim.market.truth.candles(id, '5m', killedAt, killedAt + 30 * MINUTE).length, 0);
  assert.ok(downtimeCandles > 0);

  // Quiet pools are next due hours later (their trades stay inside the API's window meanwhile):
  // one forced poll of every pool, as `gtc collect trades` does, shows nothing was lost.
  const api = new ApiClient({ baseUrl: sim.url, clock, requestsPerMinute: 30, timeoutMs: 600_000 });
  const deps = { api, store, clock, config: validateConfig({ api: { baseUrl: sim.url }, networks: ['solana'] }), instanceId: 'test' };
  const [tradesCollector] = buildCollectors(deps, { collectors: ['trades'], force: true });
  await runInstance({ ...deps, logger: createLogger({ level: 'silent' }) }, tradesCollector!);
  const trades = await checkTrades(store, sim.market.truth, pools);
  t.diagnostic(`candles ${candles.matched}/${candles.expected} (${downtimeCandles} of them made while down); trades ${trades.stored}/${trades.expected} stored, ${trades.inGaps} in ${trades.gaps} gaps`);
  assert.deepEqual(trades.wrong.slice(0, 5), []);
  assert.deepEqual(trades.uncovered.slice(0, 5), []);
  assert.equal(trades.gaps, 0, 'no pool made 300 trades while down: nothing was lost');
  assert.equal(trades.stored, trades.expected);
  const downFrom = Math.ceil(killedAt / 1000) * 1000;
  const downTo = downFrom + 30 * MINUTE;
  const downtimeTrades = pools.reduce((n, id) => n + sim.market.truth.trades(id, downFrom, downTo).length, 0);
  const recovered = (await Promise.all(pools.map((id) => store.read.trades.range(id, { fromTs: downFrom / 1000, toTs: downTo / 1000 - 1 })))).flat().length;
  assert.ok(downtimeTrades > 0);
  assert.equal(recovered, downtimeTrades, 'every trade made while down was recovered');
});
