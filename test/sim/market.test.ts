import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Big from 'big.js';
import type { ManualClock } from '../../src/lib/clock.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { getJson, getText, manualSim, poolsByRate } from './helpers.ts';

interface Trade {
  id: string;
  attributes: Record<string, string | number>;
}
type Row = [number, number, number, number, number, number];
const DAY = 86_400_000;

/** The base token's USD price in a trade, exact. */
const basePrice = (t: Trade): string => String(t.attributes.kind === 'buy' ? t.attributes.price_to_in_usd : t.attributes.price_from_in_usd);

describe('the simulated market', () => {
  let sim: Simulator;
  let clock: ManualClock;
  let busiest: string;
  let quiet: string;

  before(async () => {
    ({ sim, clock } = await manualSim({ poolsPerNetwork: 12, tradeRates: [20, 300, 6000] }));
    ({ busiest, quiet } = poolsByRate(sim));
  });
  after(() => sim.close());

  test('same seed and time give the same bytes; time moves the market', async () => {
    const { sim: twin } = await manualSim({ poolsPerNetwork: 12, tradeRates: [20, 300, 6000] });
    try {
      const paths = [
        '/networks/solana/pools?include=base_token,quote_token,dex',
        '/networks/solana/new_pools',
        `/networks/solana/pools/${busiest}/trades`,
        `/networks/solana/pools/${busiest}/ohlcv/minute?aggregate=5&limit=300`,
        '/networks/solana/dexes',
      ];
      const port = (s: Simulator): string => new URL(s.url).host;
      for (const path of paths) {
        const a = (await getText(sim, path)).text.replaceAll(port(sim), 'HOST');
        const b = (await getText(twin, path)).text.replaceAll(port(twin), 'HOST');
        assert.equal(a, b, path);
      }
      const before = (await getText(sim, `/networks/solana/pools/${busiest}`)).text;
      await clock.advance(60_000);
      assert.notEqual((await getText(sim, `/networks/solana/pools/${busiest}`)).text, before);
    } finally {
      await twin.close();
    }
  });

  test('prices are decimal strings with long exact digits', async () => {
    const { body } = await getJson<{ data: { attributes: Record<string, unknown> }[] }>(sim, '/networks/solana/pools');
    const digits = (s: string): number => s.replace(/^[0.]+/, '').replace('.', '').length;
    const longest = Math.max(...body.data.map((p) => digits(p.attributes.base_token_price_usd as string)));
    assert.ok(longest >= 50, `base_token_price_usd has ${longest} significant digits`);
    const trades = await getJson<{ data: Trade[] }>(sim, `/networks/solana/pools/${busiest}/trades`);
    for (const t of trades.body.data.slice(0, 20)) {
      for (const key of ['from_token_amount', 'to_token_amount', 'price_from_in_usd', 'price_to_in_usd', 'volume_in_usd']) {
        assert.match(String(t.attributes[key]), /^\d+\.\d+$/, key);
      }
      assert.ok(digits(String(t.attributes.volume_in_usd)) >= 40);
      // volume = quote amount × quote price, exactly.
      const quoteAmount = t.attributes.kind === 'buy' ? t.attributes.from_token_amount : t.attributes.to_token_amount;
      const quotePrice = t.attributes.kind === 'buy' ? t.attributes.price_from_in_usd : t.attributes.price_to_in_usd;
      assert.ok(new Big(String(quoteAmount)).times(String(quotePrice)).eq(String(t.attributes.volume_in_usd)));
    }
  });

  test('trades: the last 300 within 24 h, newest first, filtered by volume', async () => {
    const busy = await getJson<{ data: Trade[] }>(sim, `/networks/solana/pools/${busiest}/trades`);
    assert.equal(busy.body.data.length, 300);
    const times = busy.body.data.map((t) => Date.parse(String(t.attributes.block_timestamp)));
    assert.deepEqual([...times].sort((a, b) => b - a), times);
    const truth = sim.market.truth.trades(`solana_${busiest}`, clock.now() - DAY + 1, clock.now() + 1);
    assert.deepEqual(busy.body.data, truth.slice(-300).reverse());

    const calm = await getJson<{ data: Trade[] }>(sim, `/networks/solana/pools/${quiet}/trades`);
    const calmTruth = sim.market.truth.trades(`solana_${quiet}`, clock.now() - DAY + 1, clock.now() + 1);
    assert.ok(calmTruth.length > 0 && calmTruth.length < 300);
    assert.deepEqual(calm.body.data, [...calmTruth].reverse());

    const big = await getJson<{ data: Trade[] }>(sim, `/networks/solana/pools/${busiest}/trades?trade_volume_in_usd_greater_than=500`);
    assert.ok(big.body.data.length > 0);
    for (const t of big.body.data) assert.ok(new Big(String(t.attributes.volume_in_usd)).gt(500));
  });

  test('candles are the aggregation of the served trades', async () => {
    const trades = (await getJson<{ data: Trade[] }>(sim, `/networks/solana/pools/${busiest}/trades`)).body.data.slice().reverse();
    const candles = (await getJson<{ data: { attributes: { ohlcv_list: Row[] } } }>(sim, `/networks/solana/pools/${busiest}/ohlcv/minute?limit=1000`)).body.data.attributes.ohlcv_list;
    const oldestMinute = Math.floor(Date.parse(String(trades[0]?.attributes.block_timestamp)) / 60_000) * 60;
    const byMinute = new Map<number, Trade[]>();
    for (const t of trades) {
      const minute = Math.floor(Date.parse(String(t.attributes.block_timestamp)) / 60_000) * 60;
      if (minute > oldestMinute) byMinute.set(minute, [...(byMinute.get(minute) ?? []), t]);
    }
    const served = new Map(candles.map((row) => [row[0], row]));
    assert.ok(byMinute.size > 20);
    for (const [minute, group] of byMinute) {
      // A candle opens at the previous close: the price of the last trade before it.
      const previous = trades.filter((t) => Date.parse(String(t.attributes.block_timestamp)) < minute * 1000).at(-1) as Trade;
      const open = Number(basePrice(previous));
      const prices = group.map((t) => Number(basePrice(t)));
      const volume = group.reduce((sum, t) => sum.plus(String(t.attributes.volume_in_usd)), new Big(0));
      const expected = [minute, open, Math.max(open, ...prices), Math.min(open, ...prices), prices.at(-1), Number(volume.toFixed())];
      assert.deepEqual(served.get(minute), expected, `minute ${minute}`);
    }
  });

  test('OHLCV pages backwards with before_timestamp, exactly the truth, no duplicates', async () => {
    const old = poolsByRate(sim, 'solana', 3 * DAY).busiest;
    const path = `/networks/solana/pools/${old}/ohlcv/minute?aggregate=5&limit=100`;
    const rows: Row[] = [];
    let before = '';
    for (let page = 0; page < 4; page++) {
      const { text } = await getText(sim, `${path}${before}`);
      const list = (JSON.parse(text) as { data: { attributes: { ohlcv_list: Row[] } } }).data.attributes.ohlcv_list;
      if (rows.length > 0 && list.length > 0) assert.ok((list[0] as Row)[0] < (rows.at(-1) as Row)[0]);
      rows.push(...list);
      if (list.length < 100) break; // the pool's first candle
      before = `&before_timestamp=${(list.at(-1) as Row)[0]}`;
    }
    assert.ok(rows.length > 200, `${rows.length} candles`);
    assert.equal(new Set(rows.map((r) => r[0])).size, rows.length);
    // Like the 2025 API: each candle opens at the previous close, and high/low include the open.
    for (let i = 0; i + 1 < rows.length; i++) assert.equal((rows[i] as Row)[1], (rows[i + 1] as Row)[4]);
    for (const [, open, high, low] of rows) assert.ok(low <= open && open <= high);
    const oldest = (rows.at(-1) as Row)[0] * 1000;
    const truth = sim.market.truth.candles(`solana_${old}`, '5m', oldest, clock.now() + 1);
    const expected = truth.map((c) => [c.ts, ...[c.open, c.high, c.low, c.close, c.volume].map(Number)]).reverse();
    assert.deepEqual(rows, expected);
    // The JSON text carries the truth's exact lexemes.
    const { text } = await getText(sim, `${path}`);
    const newest = truth.at(-1);
    assert.ok(newest && text.includes(`[${newest.ts},${newest.open},${newest.high},${newest.low},${newest.close},${newest.volume}]`));
  });

  test('empty intervals are skipped unless include_empty_intervals=true', async () => {
    const base = `/networks/solana/pools/${quiet}/ohlcv/minute?limit=500`;
    const sparse = (await getJson<{ data: { attributes: { ohlcv_list: Row[] } } }>(sim, base)).body.data.attributes.ohlcv_list;
    const dense = (await getJson<{ data: { attributes: { ohlcv_list: Row[] } } }>(sim, `${base}&include_empty_intervals=true`)).body.data.attributes.ohlcv_list;
    assert.ok(sparse.length > 0);
    assert.equal(dense.length, 500, 'every minute of the span, empty or not');
    const oldestDense = (dense.at(-1) as Row)[0];
    assert.ok(sparse.filter((r) => r[0] >= oldestDense).length < 500, 'the quiet pool has empty minutes');
    const sparseByTs = new Map(sparse.map((r) => [r[0], r]));
    for (let i = 0; i < dense.length; i++) {
      const row = dense[i] as Row;
      if (i > 0) assert.equal(row[0], (dense[i - 1] as Row)[0] - 60);
      const real = sparseByTs.get(row[0]);
      if (real) assert.deepEqual(row, real);
      else {
        const previous = dense.slice(i + 1).find((r) => sparseByTs.has(r[0])) ?? sparse.find((r) => r[0] < row[0]);
        if (previous) assert.deepEqual(row, [row[0], previous[4], previous[4], previous[4], previous[4], 0]);
      }
    }
  });

  test('busy pools existing at the start have a history (rate quantile q → at least 3q days old)', () => {
    const initial = sim.market.truth.pools().filter((p) => p.createdAt <= Date.UTC(2025, 8, 1, 12));
    const busiest = initial.filter((p) => p.tradesPerDay >= 3000);
    assert.ok(busiest.length > 0);
    for (const p of busiest) assert.ok(p.createdAt <= Date.UTC(2025, 8, 1, 12) - 2 * DAY, `${p.id} created ${new Date(p.createdAt).toISOString()}`);
  });

  test('pools appear over time in new_pools', async () => {
    const first = (await getJson<{ data: { id: string; attributes: { pool_created_at: string } }[] }>(sim, '/networks/solana/new_pools')).body.data;
    await clock.advance(6 * 3_600_000);
    const later = (await getJson<{ data: { id: string; attributes: { pool_created_at: string } }[] }>(sim, '/networks/solana/new_pools')).body.data;
    const fresh = later.filter((p) => Date.parse(p.attributes.pool_created_at) > Date.parse(first[0]?.attributes.pool_created_at ?? ''));
    assert.ok(fresh.length > 0, 'new pools appeared');
    for (const p of fresh) assert.ok(Date.parse(p.attributes.pool_created_at) <= clock.now());
    const truth = sim.market.truth.pools().sort((a, b) => b.createdAt - a.createdAt);
    assert.ok(truth.length > 12);
    assert.equal(later[0]?.id, truth[0]?.id);
  });
});
