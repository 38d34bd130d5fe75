import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Big from 'big.js';
import type { ManualClock } from '../../src/lib/clock.ts';
import { WINDOWS, WINDOW_KEYS } from '../../src/sim/activity.ts';
import { decToString } from '../../src/sim/decimal.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { getJson, manualSim } from './helpers.ts';

interface Pool {
  id: string;
  attributes: Record<string, unknown> & { transactions: Record<string, Record<string, number>>; volume_usd: Record<string, string> };
  relationships: Record<string, { data: { id: string } }>;
}

describe('pool figures and the other endpoints', () => {
  let sim: Simulator;
  let clock: ManualClock;

  before(async () => {
    ({ sim, clock } = await manualSim({ networks: ['solana', 'eth'], poolsPerNetwork: 15, tradeRates: [3, 150, 2500, 6500], hostileNames: true }));
    await clock.advance(37 * 60_000 + 12_345); // windows not aligned to the hour
  });
  after(() => sim.close());

  test('transactions and volume_usd of every window equal the trades inside it', async () => {
    const now = clock.now();
    const { body } = await getJson<{ data: Pool[] }>(sim, '/networks/solana/pools');
    assert.ok(body.data.length >= 10);
    for (const served of body.data) {
      const pool = sim.market.universe.pool(served.id, now);
      assert.ok(pool);
      const trades = sim.market.trades.range(pool, now - WINDOWS.h24 + 1, now + 1);
      for (const key of WINDOW_KEYS) {
        const inside = trades.filter((t) => t.atMs > now - WINDOWS[key]);
        const buys = inside.filter((t) => t.kind === 'buy');
        const sells = inside.filter((t) => t.kind === 'sell');
        assert.deepEqual(served.attributes.transactions[key], {
          buys: buys.length,
          sells: sells.length,
          buyers: new Set(buys.map((t) => t.wallet)).size,
          sellers: new Set(sells.map((t) => t.wallet)).size,
        });
        const volume = inside.reduce((sum, t) => sum.plus(decToString(t.volumeUsd)), new Big(0));
        assert.ok(volume.eq(served.attributes.volume_usd[key] ?? 'x'), `${served.id} ${key}`);
      }
    }
  });

  test('token and token pools', async () => {
    const pools = (await getJson<{ data: Pool[] }>(sim, '/networks/eth/pools')).body.data;
    const baseId = pools[0]?.relationships.base_token?.data.id ?? '';
    const address = baseId.slice('eth_'.length);
    const token = await getJson<{ data: { id: string; attributes: Record<string, unknown>; relationships: { top_pools: { data: { id: string }[] } } } }>(
      sim,
      `/networks/eth/tokens/${address.toUpperCase().replace('0X', '0x')}`,
    );
    assert.equal(token.status, 200);
    assert.equal(token.body.data.id, baseId);
    assert.match(String(token.body.data.attributes.price_usd), /^\d+\.\d+$/);
    assert.ok(token.body.data.relationships.top_pools.data.some((p) => p.id === pools[0]?.id));
    const tokenPools = await getJson<{ data: Pool[] }>(sim, `/networks/eth/tokens/${address}/pools`);
    assert.ok(tokenPools.body.data.every((p) => p.attributes.token_price_usd === p.attributes.base_token_price_usd || p.attributes.token_price_usd === p.attributes.quote_token_price_usd));
  });

  test('trending and dex pools; the cross-network lists carry the network relationship', async () => {
    const trending = await getJson<{ data: Pool[] }>(sim, '/networks/trending_pools?duration=1h');
    assert.equal(trending.body.data.length, 20);
    assert.ok(trending.body.data.some((p) => p.relationships.network?.data.id === 'eth'));
    assert.ok(trending.body.data.some((p) => p.relationships.network?.data.id === 'solana'));
    const dexPools = await getJson<{ data: Pool[] }>(sim, '/networks/solana/dexes/pumpswap/pools');
    assert.ok(dexPools.body.data.every((p) => p.relationships.dex?.data.id === 'pumpswap'));
    assert.equal((await getJson(sim, '/networks/solana/dexes/nope/pools')).status, 404);
  });

  test('hostile token names are served verbatim when asked for', async () => {
    const names = sim.market.truth.tokens().map((t) => t.name);
    for (const hostile of ['<img src=x onerror=alert(1)>', '"><script>alert(1)</script>', '=HYPERLINK("http://x")']) assert.ok(names.includes(hostile), hostile);
    const { body } = await getJson<{ included: { attributes: { name: string } }[] }>(sim, '/networks/solana/pools?include=base_token&page=1');
    const served = new Set(body.included.map((t) => t.attributes.name));
    const all = (await Promise.all([2, 3].map((page) => getJson<{ included?: { attributes: { name: string } }[] }>(sim, `/networks/solana/pools?include=base_token&page=${page}`)))).flatMap((r) => r.body.included ?? []);
    for (const t of all) served.add(t.attributes.name);
    assert.ok([...served].some((name) => name.startsWith('<img')));
  });
});
