import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { ManualClock } from '../../src/lib/clock.ts';
import { startSimulator, type Simulator } from '../../src/sim/index.ts';
import { admin, getText, manualSim, poolsByRate } from './helpers.ts';

describe('fault injection', () => {
  let sim: Simulator;
  let clock: ManualClock;
  let pool: string;

  before(async () => {
    ({ sim, clock } = await manualSim({ poolsPerNetwork: 10, tradeRates: [3000] }));
    pool = poolsByRate(sim).busiest;
  });
  afterEach(() => sim.faults.clear());
  after(() => sim.close());

  test('429 storms, with and without Retry-After', async () => {
    await admin(sim, '/faults', { mode: '429' });
    const plain = await getText(sim, '/networks');
    assert.equal(plain.status, 429);
    assert.equal(plain.headers.get('retry-after'), null);
    await admin(sim, '/faults', { mode: '429-retry-after', retryAfterS: 7 });
    const timed = await getText(sim, '/networks');
    assert.equal(timed.status, 429);
    assert.equal(timed.headers.get('retry-after'), '7');
  });

  test('5xx bursts cycle through 500, 502, 503, 504 and end after durationMs', async () => {
    const { body } = await admin(sim, '/faults', { mode: '5xx', durationMs: 10_000 });
    assert.equal((body.fault as { until: number }).until, clock.now() + 10_000);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await getText(sim, '/networks')).status);
    assert.deepEqual(statuses, [500, 502, 503, 504]);
    await clock.advance(10_000);
    assert.equal((await getText(sim, '/networks')).status, 200);
    assert.deepEqual((await admin(sim, '/faults')).body, { fault: null });
  });

  test('rate and paths pick which requests are hit', async () => {
    sim.faults.set({ mode: '5xx', status: 503, rate: 0.5, paths: '/trades' });
    assert.equal((await getText(sim, '/networks')).status, 200);
    const statuses = [];
    for (let i = 0; i < 20; i++) statuses.push((await getText(sim, `/networks/solana/pools/${pool}/trades`)).status);
    assert.ok(statuses.includes(503) && statuses.includes(200), statuses.join(','));
  });

  test('hang: no answer until the client gives up', async () => {
    sim.faults.set({ mode: 'hang' });
    await assert.rejects(fetch(`${sim.url}/networks`, { signal: AbortSignal.timeout(200) }), { name: 'TimeoutError' });
    assert.equal(sim.stats.snapshot().recent.at(-1)?.status, 0);
  });

  test('slow: answers after delayMs', async () => {
    sim.faults.set({ mode: 'slow', delayMs: 150 });
    const started = performance.now();
    assert.equal((await getText(sim, '/networks')).status, 200);
    assert.ok(performance.now() - started >= 140);
  });

  test('malformed: truncated JSON, HTML, garbage, empty body — all with status 200', async () => {
    for (const variant of ['truncated', 'html', 'garbage', 'empty']) {
      sim.faults.set({ mode: 'malformed', variant });
      const { status, text } = await getText(sim, `/networks/solana/pools/${pool}/trades`);
      assert.equal(status, 200);
      assert.throws(() => JSON.parse(text), SyntaxError, variant);
    }
  });

  test('drift: extra fields, swapped types, renamed and removed fields, one corrupted item', async () => {
    const get = async (variant: string, path = '/networks/solana/pools'): Promise<{ data: { attributes: Record<string, unknown> }[] }> => {
      sim.faults.set({ mode: 'drift', variant });
      return JSON.parse((await getText(sim, path)).text) as { data: { attributes: Record<string, unknown> }[] };
    };
    const extra = await get('extra');
    assert.ok(extra.data.every((p) => p.attributes.new_metric_2026 === 'N/A'));
    const types = await get('types');
    assert.ok(types.data.every((p) => typeof (p.attributes.transactions as { h24: { buys: unknown } }).h24.buys === 'string'));
    const renamed = await get('rename');
    assert.ok(renamed.data.every((p) => !('base_token_price_usd' in p.attributes) && 'base_token_price_in_usd' in p.attributes));
    const removed = await get('remove');
    assert.ok(removed.data.every((p) => !('price_change_percentage' in p.attributes)));
    const corrupt = await get('corrupt-item', `/networks/solana/pools/${pool}/trades`);
    assert.equal(corrupt.data.filter((t) => t.attributes.block_timestamp === 'yesterday').length, 1);
    assert.ok(corrupt.data.length > 1);
    const ohlcv = (await get('types', `/networks/solana/pools/${pool}/ohlcv/minute`)) as unknown as { data: { attributes: { ohlcv_list: unknown[][] } } };
    assert.ok(ohlcv.data.attributes.ohlcv_list.every((row) => row.every((v) => typeof v === 'string')));
  });

  test('unreachable: connections are dropped; the admin API still answers', async () => {
    await admin(sim, '/faults', { mode: 'unreachable' });
    await assert.rejects(fetch(`${sim.url}/networks`), TypeError);
    await admin(sim, '/faults', { mode: 'none' });
    assert.equal((await getText(sim, '/networks')).status, 200);
  });

  test('bad fault specs are refused with a reason', async () => {
    for (const spec of [{ mode: 'explode' }, { mode: '5xx', rate: 2 }, { mode: 'drift', variant: 'nope' }, { mode: 'slow', paths: '(' }]) {
      const { status, body } = await admin(sim, '/faults', spec);
      assert.equal(status, 400);
      assert.equal(typeof body.error, 'string');
    }
    assert.equal((await admin(sim, '/clock', { advanceMs: 1000 })).status, 409);
  });
});

test('admin clock: advance and speed when the simulator owns its clock', async () => {
  const sim = await startSimulator({ startTime: Date.UTC(2025, 0, 1), poolsPerNetwork: 3, speed: 1 });
  try {
    const moved = await admin(sim, '/clock', { advanceMs: 3_600_000, speed: 120 });
    assert.equal(moved.status, 200);
    assert.ok((moved.body.now as number) >= Date.UTC(2025, 0, 1, 1));
    assert.equal(moved.body.speed, 120);
    assert.equal((await admin(sim, '/clock', { speed: 0 })).status, 400);
  } finally {
    await sim.close();
  }
});
