/**
 * A rejected (invalid) item never loses data in silence. Through a proxy in front of the simulator
 * one chosen candle or trade is served corrupted — once, or every time — with an unreadable
 * timestamp (as the chaos harness's drift fault does) or with only a value broken. Served once, it
 * is stored byte-exact after the next run and no gap is left; served corrupted every time, it ends
 * as one open data_gaps row covering exactly its interval (OHLCV) or its span (trades), and a gap
 * whose candle is served valid again is fetched and closed (also on PostgreSQL when
 * GTC_TEST_PG_URL is set). Last, the chaos harness's own drift fault on a fifth of all answers for
 * two simulated hours: every candle stored, every trade stored or inside a gap.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { buildCollectors } from '../../src/collectors/index.ts';
import { createOhlcvCollector, OHLCV_CHECKPOINT, ohlcvCheckpointKey, parseUnitState } from '../../src/collectors/ohlcv.ts';
import { intervalStart } from '../../src/collectors/ohlcv-window.ts';
import { parsePollState } from '../../src/collectors/trade-poll-plan.ts';
import { createTradesCollector, TRADES_CHECKPOINT } from '../../src/collectors/trades.ts';
import type { SimCandle } from '../../src/sim/candles.ts';
import { freshPgDatabase, pgSkip } from '../support/postgres.ts';
import { tempDir } from '../support/temp-dir.ts';
import { runOnce, startHarness, watchPools, type Harness } from './support/harness.ts';
import { runLoops } from './support/loops.ts';
import { checkCandles, checkTrades, type TradeCheck } from './support/truth.ts';

const FIVE_MINUTES = 300;

type Corruption = 'unreadable timestamp' | 'invalid value';

/**
 * The row of candle `ts` replaced, when the answer lists it: by the drift fault's row, or by the
 * right timestamp with a bad price. Null when the answer does not list it.
 */
function corruptCandle(body: string, ts: number, corruption: Corruption): string | null {
  const row = new RegExp(`\\[${ts},[^\\]]*\\]`);
  if (!row.test(body)) return null;
  return body.replace(row, corruption === 'unreadable timestamp' ? '["not-a-time",null,"NaN",{},-1]' : `[${ts},"NaN","1","1","1","1"]`);
}

interface OhlcvCase {
  h: Harness;
  poolId: string;
  /** The candle served corrupted (both neighbours exist, so its interval is known exactly). */
  target: SimCandle;
  run(): Promise<void>;
  state(): Promise<ReturnType<typeof parseUnitState>>;
  stored(ts: number): Promise<SimCandle | null>;
  /** Candles since the unit's start up to its checkpoint that differ from the simulator's. */
  wrong(): Promise<string[]>;
}

async function ohlcvCase(t: TestContext, url?: string): Promise<OhlcvCase> {
  const h = await startHarness({ dir: tempDir(t), ...(url ? { url } : {}), proxy: true, config: { collectors: { ohlcv: { interval: '5m', timeframes: ['5m'], backfillDays: 1 } } } });
  t.after(() => h.close());
  const [poolId] = await watchPools(h, 1, (tradesPerDay) => tradesPerDay >= 3000);
  assert.ok(poolId, 'the market has a busy pool');
  const now = h.clock.now();
  const served = h.sim.market.truth.candles(poolId, '5m', now - 4 * 3600_000, now - 3600_000);
  const present = new Set(served.map((c) => c.ts));
  const target = served.find((c) => present.has(c.ts - FIVE_MINUTES) && present.has(c.ts + FIVE_MINUTES));
  assert.ok(target, 'a candle with candles on both sides');
  const collector = createOhlcvCollector(h.deps);
  const fromS = Math.floor(now / 1000) - 86_400;
  return {
    h, poolId, target,
    async run() {
      await runOnce(h, collector);
      await h.clock.advance(FIVE_MINUTES * 1000);
    },
    async state() {
      return parseUnitState((await h.store.read.checkpoints.get(OHLCV_CHECKPOINT, ohlcvCheckpointKey(poolId, '5m')))?.value);
    },
    async stored(ts) {
      const [row] = await h.store.read.candles.range(poolId, '5m', { fromTs: ts, toTs: ts });
      return row ? { ts: row.ts, open: row.open, high: row.high, low: row.low, close: row.close, volume: row.volumeUsd } : null;
    },
    async wrong() {
      const check = await checkCandles(h.store, h.sim.market.truth, [poolId], ['5m'], () => fromS - (fromS % FIVE_MINUTES), Math.floor(h.clock.now() / 1000), () => Infinity);
      return check.wrong;
    },
  };
}

/** A candle served corrupted every time: one open gap of exactly its interval, closed once it is served valid. */
async function candleCorruptedEveryTime(t: TestContext, corruption: Corruption, url?: string): Promise<void> {
  const c = await ohlcvCase(t, url);
  let corrupting = true;
  c.h.proxy!.rewrite = (path, body) => (corrupting && path.includes('/ohlcv/') ? corruptCandle(body, c.target.ts, corruption) ?? body : body);
  for (let run = 0; run < 3; run += 1) {
    assert.deepEqual(await c.h.store.read.gaps.listOpen({ poolId: c.poolId }), [], `no gap while the candle is still asked for again (run ${run + 1})`);
    await c.run();
  }
  const [gap, ...more] = await c.h.store.read.gaps.listOpen({ poolId: c.poolId });
  assert.deepEqual(more, []);
  assert.ok(gap);
  assert.deepEqual({ kind: gap.kind, timeframe: gap.timeframe, fromTs: gap.fromTs, toTs: gap.toTs }, { kind: 'ohlcv', timeframe: '5m', fromTs: c.target.ts, toTs: c.target.ts + FIVE_MINUTES });
  assert.match(gap.reason, /^rejected/);
  const state = await c.state();
  assert.equal(state?.rejected, undefined);
  assert.ok(state && state.from > c.target.ts, 'the checkpoint moved past the recorded gap');
  assert.equal(await c.stored(c.target.ts), null);
  // Retried while still corrupted: the same one gap stays open.
  await c.run();
  assert.deepEqual((await c.h.store.read.gaps.list({ poolId: c.poolId })).map((g) => [g.id, g.resolvedAt]), [[gap.id, null]]);
  // Served valid again: the retry (whatever its back-off, within a day) stores it and closes the gap.
  corrupting = false;
  await c.h.clock.advance(86_400_000);
  await c.run();
  assert.deepEqual(await c.stored(c.target.ts), c.target);
  assert.deepEqual(await c.h.store.read.gaps.listOpen({ poolId: c.poolId }), []);
  assert.ok((await c.h.store.read.gaps.list({ poolId: c.poolId }))[0]?.resolvedAt, 'the gap is resolved, not deleted');
  assert.deepEqual(await c.wrong(), []);
}

for (const corruption of ['unreadable timestamp', 'invalid value'] as const) {
  test(`a candle served corrupted once (${corruption}) is fetched again by the next run and stored byte-exact; no gap remains`, async (t) => {
    const c = await ohlcvCase(t);
    let corrupted = 0;
    c.h.proxy!.rewrite = (path, body) => {
      const bad = corrupted === 0 && path.includes('/ohlcv/') ? corruptCandle(body, c.target.ts, corruption) : null;
      if (bad === null) return body;
      corrupted += 1;
      return bad;
    };
    await c.run();
    assert.equal(corrupted, 1);
    assert.equal(await c.stored(c.target.ts), null, 'the rejected candle is not stored');
    const held = await c.state();
    assert.deepEqual(held?.rejected, { from: c.target.ts, attempts: 1 }, 'the checkpoint holds at the rejected candle');
    assert.ok(held && held.from <= c.target.ts);
    await c.run();
    assert.deepEqual(await c.stored(c.target.ts), c.target, 'stored byte-exact after the next run');
    assert.deepEqual(await c.h.store.read.gaps.list({ poolId: c.poolId }), [], 'no gap was recorded');
    const state = await c.state();
    assert.equal(state?.rejected, undefined);
    assert.ok(state && state.from > c.target.ts, 'the checkpoint moved on');
    assert.deepEqual(await c.wrong(), []);
  });

  test(`a candle served corrupted every time (${corruption}) ends as one open gap of exactly its interval, closed once it is served valid`, (t) => candleCorruptedEveryTime(t, corruption));
}

test('on PostgreSQL: a candle served corrupted every time ends as one open gap, closed once it is served valid', pgSkip(), async (t) => {
  await candleCorruptedEveryTime(t, 'unreadable timestamp', await freshPgDatabase(t));
});

/** Trade `id` of a trades answer corrupted the way the drift fault does, or with only its kind broken. Null when not listed. */
function corruptTrade(body: string, id: string, corruption: Corruption): string | null {
  const doc = JSON.parse(body) as { data: { id: string; attributes: Record<string, unknown> }[] };
  const item = doc.data.find((t) => t.id === id);
  if (!item) return null;
  item.attributes.kind = 42;
  if (corruption === 'unreadable timestamp') {
    item.attributes.block_timestamp = 'yesterday';
    item.attributes.volume_in_usd = { usd: 'lots' };
  }
  return JSON.stringify(doc);
}

interface TradesCase {
  h: Harness;
  poolId: string;
  /** The trade served corrupted, and the seconds of the trades listed around it. */
  target: { id: string; ts: number; olderTs: number; newerTs: number };
  poll(): Promise<void>;
  state(): Promise<ReturnType<typeof parsePollState>>;
  stored(): Promise<boolean>;
  check(): Promise<TradeCheck>;
}

async function tradesCase(t: TestContext): Promise<TradesCase> {
  const h = await startHarness({ dir: tempDir(t), proxy: true, config: { collectors: { trades: { minPollInterval: '1m' } } } });
  t.after(() => h.close());
  // A pool whose answer is short (all of its last 24 h), so the trades around the target stay in it.
  const [poolId] = await watchPools(h, 1, (tradesPerDay) => tradesPerDay >= 40 && tradesPerDay <= 150);
  assert.ok(poolId, 'the market has a quiet pool');
  const now = h.clock.now();
  const served = h.sim.market.truth.trades(poolId, now - 20 * 3600_000, now - 3600_000);
  const seconds = (trade: (typeof served)[number]): number => Math.floor(Date.parse(trade.attributes.block_timestamp) / 1000);
  const middle = Math.floor(served.length / 2);
  const [older, trade, newer] = [served[middle - 1], served[middle], served[middle + 1]];
  assert.ok(older && trade && newer, 'the pool traded in the last day');
  const collector = createTradesCollector(h.deps);
  return {
    h, poolId,
    target: { id: trade.id, ts: seconds(trade), olderTs: seconds(older), newerTs: seconds(newer) },
    async poll() {
      await runOnce(h, collector);
      await h.clock.advance(60_000);
    },
    async state() {
      return parsePollState((await h.store.read.checkpoints.get(TRADES_CHECKPOINT, poolId))?.value);
    },
    async stored() {
      return (await h.store.read.trades.existingIds([trade.id])).has(trade.id);
    },
    check: () => checkTrades(h.store, h.sim.market.truth, [poolId]),
  };
}

for (const corruption of ['unreadable timestamp', 'invalid value'] as const) {
  test(`a trade served corrupted once (${corruption}) is stored byte-exact by the next poll; no gap remains`, async (t) => {
    const c = await tradesCase(t);
    let corrupted = 0;
    c.h.proxy!.rewrite = (path, body) => {
      const bad = corrupted === 0 && path.includes('/trades') ? corruptTrade(body, c.target.id, corruption) : null;
      if (bad === null) return body;
      corrupted += 1;
      return bad;
    };
    await c.poll();
    assert.equal(corrupted, 1);
    assert.equal(await c.stored(), false);
    assert.ok((await c.state())?.rejected, 'the poll state holds the rejected trade');
    await c.poll();
    assert.equal(await c.stored(), true);
    assert.equal((await c.state())?.rejected, undefined);
    assert.deepEqual(await c.h.store.read.gaps.list({ poolId: c.poolId }), []);
    const check = await c.check();
    assert.deepEqual([check.uncovered, check.wrong, check.inGaps], [[], [], 0]);
    assert.ok(check.stored > 2);
  });

  test(`a trade served corrupted every time (${corruption}) ends as one open gap of exactly its span`, async (t) => {
    const c = await tradesCase(t);
    c.h.proxy!.rewrite = (path, body) => (path.includes('/trades') ? corruptTrade(body, c.target.id, corruption) ?? body : body);
    for (let poll = 1; poll <= 3; poll += 1) {
      assert.deepEqual(await c.h.store.read.gaps.list({ poolId: c.poolId }), [], `no gap while the trade is still asked for again (poll ${poll})`);
      await c.poll();
    }
    const gaps = await c.h.store.read.gaps.listOpen({ poolId: c.poolId });
    const span = corruption === 'unreadable timestamp' ? [c.target.olderTs, c.target.newerTs] : [c.target.ts, c.target.ts];
    assert.deepEqual(gaps.map((g) => [g.kind, g.fromTs, g.toTs]), [['trades', ...span]]);
    assert.match(gaps[0]?.reason ?? '', /^rejected/);
    assert.equal(await c.stored(), false);
    assert.equal((await c.state())?.rejected, undefined);
    const check = await c.check();
    assert.deepEqual([check.uncovered, check.wrong, check.inGaps], [[], [], 1]);
  });
}

test('under the chaos drift fault (a fifth of answers carry a corrupted item), 2 simulated hours: every candle stored, every trade stored or in a gap', { timeout: 180_000 }, async (t) => {
  const h = await startHarness({ dir: tempDir(t) });
  t.after(() => h.close());
  const pools = await watchPools(h, 10);
  const start = h.clock.now();
  const end = start + 2 * 3_600_000;
  h.sim.faults.set({ mode: 'drift', rate: 0.2 });
  await h.driver.drive(runLoops({ ...h.deps, logger: h.logger }, buildCollectors(h.deps, { collectors: ['watchlist', 'ohlcv', 'trades'] }), end));
  const rejected = await h.store.db.selectFrom('collection_runs').select((eb) => eb.fn.sum<number>('rejected').as('n')).executeTakeFirstOrThrow();
  assert.ok(Number(rejected.n) > 10, `items were rejected (${rejected.n})`);
  const timeframes = h.config.collectors.ohlcv.timeframes;
  const fromS = Math.floor(start / 1000) - h.config.collectors.ohlcv.backfillDays * 86_400;
  const candles = await checkCandles(h.store, h.sim.market.truth, pools, timeframes, (tf) => intervalStart(fromS, tf), Math.floor(end / 1000), () => Infinity);
  assert.deepEqual(candles.wrong.slice(0, 5), []);
  assert.equal(candles.matched, candles.expected);
  const trades = await checkTrades(h.store, h.sim.market.truth, pools);
  assert.deepEqual(trades.uncovered.slice(0, 5), []);
  assert.deepEqual(trades.wrong.slice(0, 5), []);
  t.diagnostic(`${rejected.n} items rejected; candles ${candles.matched}/${candles.expected}; trades ${trades.stored}/${trades.expected} stored, ${trades.inGaps} in ${trades.gaps} gaps`);
});
