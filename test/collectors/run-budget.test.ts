/**
 * A budgeted run (trades, ohlcv) starts no API call past its budget: a call still queued at a
 * busy rate limiter then is not sent, the run ends successfully with the rest deferred, and the
 * next run collects it — rather than waiting at the limiter until the run's time limit fails it
 * as if the API were down.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { createOhlcvCollector } from '../../src/collectors/ohlcv.ts';
import { createTradesCollector } from '../../src/collectors/trades.ts';
import type { CollectorInstance } from '../../src/collectors/types.ts';
import { tempDir } from '../support/temp-dir.ts';
import { runOnce, startHarness, watchPools, type Harness } from './support/harness.ts';

const BUDGET_MS = 20_000;

async function busyHarness(t: TestContext): Promise<Harness> {
  // 30 calls/min: one every 2 s at the limiter; the simulator itself does not limit.
  const h = await startHarness({ dir: tempDir(t), sim: { requestsPerMinute: 0, poolsPerNetwork: 40 }, config: { api: { requestsPerMinute: 30 }, collectors: { ohlcv: { timeframes: ['1h'], backfillDays: 1 } } } });
  t.after(() => h.close());
  await watchPools(h, 6);
  return h;
}

/** Another caller of the same limiter (real calls) holds the next `calls` turns (2 s each). */
function occupyLimiter(h: Harness, calls: number): Promise<unknown> {
  const address = h.sim.market.truth.pools()[0]?.address as string;
  return Promise.all(Array.from({ length: calls }, () => h.api.pool('solana', address)));
}

async function assertDeferredNotFailed(t: TestContext, build: (h: Harness) => CollectorInstance, units: number): Promise<void> {
  const h = await busyHarness(t);
  const instance = build(h);
  // The other caller's 15 turns end at 30 s, past the 20 s budget.
  const other = occupyLimiter(h, 15);
  const started = h.clock.now();
  const first = await runOnce(h, instance);
  assert.ok(h.clock.now() - started <= BUDGET_MS + 1_000, `the run ended at ${h.clock.now() - started} ms, not at the budget`);
  assert.equal(first.apiCalls, 0);
  assert.equal(first.details?.deferred, units, 'everything deferred, nothing failed');
  await h.driver.drive(other);
  const second = await runOnce(h, instance);
  assert.equal(second.apiCalls, units, 'the next run collects what was deferred');
  assert.equal(second.details?.deferred, undefined);
}

test('trades: a poll still waiting for API budget when the run\'s budget ends is deferred, not failed', async (t) => {
  await assertDeferredNotFailed(t, (h) => createTradesCollector(h.deps, { runBudgetMs: BUDGET_MS }), 6);
});

test('ohlcv: a window still waiting for API budget when the run\'s budget ends is deferred, not failed', async (t) => {
  await assertDeferredNotFailed(t, (h) => createOhlcvCollector(h.deps, { runBudgetMs: BUDGET_MS }), 6);
});
