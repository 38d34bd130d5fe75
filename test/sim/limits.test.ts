import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ManualClock } from '../../src/lib/clock.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { admin, getJson, getText, manualSim } from './helpers.ts';

describe('the real API’s limits', () => {
  let sim: Simulator;
  let clock: ManualClock;

  before(async () => {
    ({ sim, clock } = await manualSim({ poolsPerNetwork: 260, requestsPerMinute: 5, newPoolsPerHour: 1 }));
  });
  after(() => sim.close());

  test('30 calls per sliding minute (here 5): then 429 without Retry-After, until the window slides', async () => {
    sim.setRateLimit(5);
    await clock.advance(61_000);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push((await getText(sim, '/networks')).status);
      await clock.advance(1_000);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
    const refused = await getText(sim, '/networks');
    assert.equal(refused.headers.get('retry-after'), null);
    assert.equal((JSON.parse(refused.text) as { status: { error_code: number } }).status.error_code, 429);
    await clock.advance(53_500); // the first call is now more than 60 s old
    assert.equal((await getText(sim, '/networks')).status, 200);
    assert.equal((await getText(sim, '/networks')).status, 429);
    const stats = sim.stats.snapshot();
    assert.ok((stats.byRoute['/networks']?.['429'] ?? 0) >= 3);
    sim.setRateLimit(0);
  });

  test('lists: 20 per page, at most 10 pages', async () => {
    const ids = new Set<string>();
    for (let page = 1; page <= 11; page++) {
      const { body } = await getJson<{ data: { id: string }[] }>(sim, `/networks/solana/pools?page=${page}`);
      assert.equal(body.data.length, page <= 10 ? 20 : 0, `page ${page}`);
      for (const p of body.data) ids.add(p.id);
    }
    assert.equal(ids.size, 200);
  });

  test('pools/multi: at most 30 addresses, unknown ones silently dropped', async () => {
    const pools = sim.market.truth.pools().slice(0, 35);
    const addresses = pools.map((p) => p.address);
    const withUnknown = [...addresses.slice(0, 3), 'NoSuchPoolAddress111111111111111111111111111', ...addresses.slice(3)];
    const { status, body } = await getJson<{ data: { id: string }[] }>(sim, `/networks/solana/pools/multi/${withUnknown.join(',')}`);
    assert.equal(status, 200);
    assert.deepEqual(
      body.data.map((p) => p.id),
      pools.slice(0, 29).map((p) => p.id),
    );
    const included = await getJson<{ included: { type: string }[] }>(sim, `/networks/solana/pools/multi/${addresses.slice(0, 2).join(',')}?include=base_token,quote_token,dex`);
    assert.ok(included.body.included.some((r) => r.type === 'dex'));
  });

  test('unknown pool, token, network and path answer 404 JSON', async () => {
    for (const path of ['/networks/solana/pools/nope', '/networks/solana/tokens/nope', '/networks/nope/pools', '/networks/solana/pools/nope/trades', '/nothing/here']) {
      const { status, body } = await getJson<{ errors: { status: string }[] }>(sim, path);
      assert.equal(status, 404, path);
      assert.equal(body.errors[0]?.status, '404');
    }
    const bad = await getText(sim, `/networks/solana/pools/${sim.market.truth.pools()[0]?.address}/ohlcv/hour?aggregate=5`);
    assert.equal(bad.status, 400);
  });

  test('OHLCV limit is capped at 1000', async () => {
    const busy = sim.market.truth.pools().sort((a, b) => b.tradesPerDay - a.tradesPerDay)[0];
    await clock.advance(2 * 86_400_000);
    const { body } = await getJson<{ data: { attributes: { ohlcv_list: unknown[] } } }>(sim, `/networks/solana/pools/${busy?.address}/ohlcv/minute?limit=5000`);
    assert.equal(body.data.attributes.ohlcv_list.length, 1000);
  });

  test('the keyed host form: /api/v3/onchain with x-cg-pro-api-key', async () => {
    const keyed = sim.url.replace('/api/v2', '/api/v3/onchain');
    assert.equal(keyed, sim.keyedUrl);
    const missing = await fetch(`${keyed}/networks`);
    assert.equal(missing.status, 401);
    await missing.text();
    const ok = await fetch(`${keyed}/networks`, { headers: { 'x-cg-pro-api-key': 'CG-test' } });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), JSON.parse((await getText(sim, '/networks')).text.replaceAll('/api/v2', '/api/v3/onchain')));
  });

  test('admin: rate limit can change at runtime; stats count per route and reset', async () => {
    assert.deepEqual((await admin(sim, '/rate-limit', { requestsPerMinute: 0 })).body, { requestsPerMinute: 0, keyedRequestsPerMinute: 500 });
    await admin(sim, '/stats/reset', {});
    await getText(sim, '/networks/solana/dexes');
    await getText(sim, '/networks/solana/dexes');
    const stats = (await admin(sim, '/stats')).body as { total: number; byRoute: Record<string, Record<string, number>>; recent: { path: string; status: number; at: number }[] };
    assert.equal(stats.total, 2);
    assert.deepEqual(stats.byRoute, { '/networks/:network/dexes': { '200': 2 } });
    assert.deepEqual(stats.recent[0], { path: '/api/v2/networks/solana/dexes', route: '/networks/:network/dexes', status: 200, at: clock.now() });
  });
});
