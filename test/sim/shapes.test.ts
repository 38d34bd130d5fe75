import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Simulator } from '../../src/sim/index.ts';
import { fixture, getJson, manualSim, poolsByRate, shapeDifferences } from './helpers.ts';

/** The simulator must not drift from the real API: same keys, same JSON types, same id forms. */
describe('simulator responses have the real fixtures’ shapes', () => {
  let sim: Simulator;
  let busiest: string;
  const WETH = '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2';

  before(async () => {
    ({ sim } = await manualSim({ networks: ['solana', 'eth'], poolsPerNetwork: 30 }));
    ({ busiest } = poolsByRate(sim));
  });
  after(() => sim.close());

  // [fixture, simulator path, exact: no keys beyond the fixture's (2024–2025 fixtures)]
  const cases: [string, () => string, boolean][] = [
    ['networks.json', () => '/networks', true],
    ['dexes_eth.json', () => '/networks/eth/dexes', true],
    ['new_pools_solana_include.json', () => '/networks/solana/new_pools?include=base_token,quote_token,dex', true],
    ['new_pools_all_networks.json', () => '/networks/new_pools', true],
    ['new_pools_eth.json', () => '/networks/eth/new_pools', true],
    ['token_pools_eth_weth.json', () => `/networks/eth/tokens/${WETH}/pools`, true],
    ['top_pools_eth.json', () => '/networks/eth/pools?include=base_token,quote_token', false],
    ['top_pools_eth_sushiswap.json', () => '/networks/eth/dexes/sushiswap/pools', false],
    ['trades_solana.json', () => `/networks/solana/pools/${busiest}/trades`, true],
    ['ohlcv_solana_minute15.json', () => `/networks/solana/pools/${busiest}/ohlcv/minute?aggregate=15`, true],
    ['ohlcv_eth_minute15_raw.json', () => `/networks/solana/pools/${busiest}/ohlcv/minute?aggregate=15`, false],
  ];
  for (const [name, path, exact] of cases) {
    test(`${name} ~ GET ${name.replace('.json', '')}`, async () => {
      const { status, body } = await getJson(sim, path());
      assert.equal(status, 200);
      assert.deepEqual(shapeDifferences(body, fixture(name), exact), []);
    });
  }

  test('ids keep the API forms: {network}_{address}, trade ids {network}_{block}_{tx}_{log}_{time}', async () => {
    const { body } = await getJson<{ data: { id: string; attributes: Record<string, unknown>; relationships: Record<string, { data: { id: string } }> }[] }>(
      sim,
      '/networks/eth/pools',
    );
    for (const pool of body.data) {
      assert.equal(pool.id, `eth_${pool.attributes.address as string}`);
      assert.match(pool.attributes.address as string, /^0x[0-9a-f]{40}$/);
      assert.match(pool.relationships.base_token?.data.id ?? '', /^eth_0x[0-9a-f]{40}$/);
    }
    const trades = await getJson<{ data: { id: string; attributes: Record<string, unknown> }[] }>(sim, `/networks/solana/pools/${busiest}/trades`);
    for (const trade of trades.body.data) {
      const a = trade.attributes;
      const ts = Date.parse(a.block_timestamp as string) / 1000;
      assert.match(trade.id, /^solana_\d+_[1-9A-HJ-NP-Za-km-z]{88}_\d+_\d+$/);
      assert.ok(trade.id.startsWith(`solana_${a.block_number as number}_${a.tx_hash as string}_`));
      assert.ok(trade.id.endsWith(`_${ts}`));
    }
  });
});
