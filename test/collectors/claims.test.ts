/**
 * Two instances (two store connections, two API clients with their own budgets, two instance ids)
 * collecting from one database at the same moment never collect the same unit twice: every
 * pool's trades are asked for once, every pool × timeframe OHLCV window once, every watchlist
 * batch once — counted at the simulator — and together they cover every unit. SQLite file, and
 * PostgreSQL when GTC_TEST_PG_URL is set.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { ApiClient, RateLimiter } from '../../src/api/index.ts';
import { buildCollectors, type CollectorDeps } from '../../src/collectors/index.ts';
import { openStore } from '../../src/store/index.ts';
import { freshPgDatabase, pgSkip } from '../support/postgres.ts';
import { tempDir } from '../support/temp-dir.ts';
import { startHarness, watchPools, type Harness } from './support/harness.ts';
import { runInstance } from './support/loops.ts';

async function secondInstance(t: TestContext, h: Harness, url: string): Promise<CollectorDeps> {
  const store = await openStore({ url, clock: h.clock });
  t.after(() => store.close());
  const limiter = new RateLimiter({ clock: h.clock, requestsPerMinute: h.config.api.requestsPerMinute, dailyLimit: 1_000_000, ...h.driver.limiterHooks() });
  const api = new ApiClient({ baseUrl: h.sim.url, clock: h.clock, limiter, timeoutMs: h.config.api.timeoutMs, hooks: h.driver.apiHooks() });
  return { api, store, config: h.config, clock: h.clock, instanceId: 'machine-b' };
}

async function assertEachUnitOnce(t: TestContext, url: string): Promise<void> {
  const h = await startHarness({ dir: tempDir(t), url, sim: { recentRequests: 100_000, poolsPerNetwork: 80, requestsPerMinute: 0 }, config: { collectors: { ohlcv: { backfillDays: 1 } } } });
  t.after(() => h.close());
  const pools = await watchPools(h, 70);
  const b = await secondInstance(t, h, url);
  const a: CollectorDeps = { ...h.deps, instanceId: 'machine-a' };
  const names = ['watchlist', 'trades', 'ohlcv'] as const;
  const runs = [a, b].flatMap((deps) => buildCollectors(deps, { collectors: [...names] }).map((instance) => runInstance({ ...deps, logger: h.logger }, instance)));
  const summaries = await h.driver.drive(Promise.all(runs));
  const stats = h.sim.stats.snapshot();
  assert.deepEqual(Object.keys(stats.byStatus), ['200']);
  const requests = stats.recent.map((r) => r.path);
  const count = (pattern: RegExp): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const path of requests) {
      const match = pattern.exec(path);
      if (match) counts.set(match[1] as string, (counts.get(match[1] as string) ?? 0) + 1);
    }
    return counts;
  };
  const trades = count(/\/pools\/([^/]+)\/trades/);
  assert.equal(trades.size, pools.length, 'every pool polled');
  assert.deepEqual([...trades.values()].filter((n) => n !== 1), [], 'no pool polled twice');
  // One day of 5m/1h/1d candles fits one window: one call per pool × timeframe.
  const ohlcv = count(/\/pools\/([^/]+\/ohlcv\/[a-z]+\?aggregate=\d+)/);
  assert.equal(ohlcv.size, pools.length * 3);
  assert.deepEqual([...ohlcv.values()].filter((n) => n !== 1), []);
  const multi = requests.filter((p) => p.includes('/pools/multi/'));
  assert.equal(multi.length, 3, '70 pools = 3 batches, each refreshed once');
  const apiCalls = summaries.map((s) => s.apiCalls);
  t.diagnostic(`calls per run (a: watchlist, ohlcv, trades; b: the same): ${apiCalls.join(', ')}`);
  assert.ok(apiCalls.slice(0, 3).some((n) => n > 0) && apiCalls.slice(3).some((n) => n > 0), 'both instances did part of the work');
  assert.equal(apiCalls.reduce((x, y) => x + y, 0), requests.length);
}

test('two instances on one SQLite file never collect the same unit twice', { timeout: 60_000 }, async (t) => {
  await assertEachUnitOnce(t, `sqlite:${tempDir(t)}/gtc.sqlite`);
});

test('two instances on one PostgreSQL database never collect the same unit twice', { timeout: 60_000, ...pgSkip() }, async (t) => {
  const url = await freshPgDatabase(t);
  if (url) await assertEachUnitOnce(t, url);
});

test('a unit whose collection fails is released: the retry seconds later takes it again', { timeout: 60_000 }, async (t) => {
  const h = await startHarness({ dir: tempDir(t) });
  t.after(() => h.close());
  const [poolId] = await watchPools(h, 1);
  const [trades] = buildCollectors(h.deps, { collectors: ['trades'] });
  // A first poll stores the pool's state; the failing one is then due at the stored time (its slot).
  await h.driver.drive(runInstance({ ...h.deps, logger: h.logger }, trades!));
  await h.clock.advance(6 * 3_600_000);
  h.sim.faults.set({ mode: '5xx', paths: '/trades' });
  await assert.rejects(h.driver.drive(runInstance({ ...h.deps, logger: h.logger }, trades!)), /answered 5\d\d/);
  h.sim.faults.clear();
  // Past the API breaker's half-open delay (30 s), well before the claim would expire (2 min).
  await h.clock.advance(40_000);
  const retry = await h.driver.drive(runInstance({ ...h.deps, logger: h.logger }, trades!));
  assert.equal(retry.details?.claimedElsewhere, undefined, 'the failed attempt did not keep the unit');
  assert.equal(retry.apiCalls, 1);
  assert.ok((await h.store.read.trades.range(poolId!)).length > 0);
});
