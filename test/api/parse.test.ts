import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDexesPage, parseNetworksPage, parseOhlcvPage, parsePoolsPage, parseTradesPage } from '../../src/api/index.ts';
import { InvalidResponseError } from '../../src/api/errors.ts';
import { fixture, POOL_FIXTURES } from './fixtures.ts';

const observedAt = 1_757_000_000;

test('new_pools_solana_include: 20 pools whose tokens and dexes resolve from included', () => {
  const page = parsePoolsPage(fixture('new_pools_solana_include.json'), { what: 'fixture', observedAt });
  assert.equal(page.pools.length, 20);
  assert.equal(page.rejected.length, 0);
  const tokens = new Map(page.tokens.map((t) => [t.id, t]));
  for (const pool of page.pools) {
    assert.equal(pool.network, 'solana');
    assert.equal(pool.id, `solana_${pool.address}`);
    const base = tokens.get(pool.baseTokenId!);
    const quote = tokens.get(pool.quoteTokenId!);
    assert.ok(base && quote, `tokens of ${pool.id} resolve`);
    assert.ok(base.name.length > 0 && base.symbol.length > 0);
    // The pool name is "BASE / QUOTE" by symbol: the resolved tokens are the right ones.
    assert.ok(pool.name.startsWith(`${base.symbol} / `), `${pool.name} vs ${base.symbol}`);
    assert.ok(pool.name.endsWith(` / ${quote.symbol}`) || pool.name.includes(` / ${quote.symbol} `), `${pool.name} vs ${quote.symbol}`);
    assert.equal(pool.updatedAt, observedAt);
    assert.ok(page.dexes.some((d) => d.dexId === pool.dexId && d.id === `solana_${pool.dexId}`));
  }
  const first = page.pools[0]!;
  assert.equal(tokens.get(first.baseTokenId!)?.name, 'Open BackRooms');
  assert.equal(tokens.get(first.baseTokenId!)?.decimals, 6);
  assert.equal(first.transactionsH24, 229 + 110);
  assert.equal(first.poolCreatedAt, Date.UTC(2025, 8, 8, 20, 9, 26) / 1000);
  assert.deepEqual(page.dexes.find((d) => d.dexId === 'pump-fun'), { id: 'solana_pump-fun', network: 'solana', dexId: 'pump-fun', name: 'Pump.fun' });
});

test('pool lists without include keep token ids and never invent token names', () => {
  for (const name of ['new_pools_eth.json', 'top_pools_eth_sushiswap.json', 'token_pools_eth_weth.json', 'new_pools_all_networks.json']) {
    const page = parsePoolsPage(fixture(name), { what: name, observedAt });
    assert.equal(page.pools.length, 20, name);
    assert.equal(page.tokens.length, 0, name);
    assert.equal(page.dexes.length, 0, name);
    for (const pool of page.pools) assert.ok(pool.baseTokenId?.startsWith(`${pool.network}_`), `${name} ${pool.id}`);
  }
});

test('top_pools_eth: included tokens without decimals or image come out as null, old pools without created_at', () => {
  const page = parsePoolsPage(fixture('top_pools_eth.json'), { what: 'fixture', observedAt });
  assert.equal(page.pools.length, 20);
  assert.equal(page.tokens.length, 20);
  for (const token of page.tokens) {
    assert.equal(token.network, 'eth');
    assert.equal(token.decimals, null);
    assert.equal(token.imageUrl, null);
  }
  const sushi = parsePoolsPage(fixture('top_pools_eth_sushiswap.json'), { what: 'fixture', observedAt });
  assert.ok(sushi.pools.some((p) => p.poolCreatedAt === null));
  assert.ok(sushi.pools.every((p) => p.dexId === 'sushiswap'));
});

test('new_pools_all_networks: networks with "_" come from relationships.network, not the first "_"', () => {
  const page = parsePoolsPage(fixture('new_pools_all_networks.json'), { what: 'fixture', observedAt });
  const networks = new Set(page.pools.map((p) => p.network));
  assert.ok(networks.has('polygon_pos'));
  for (const pool of page.pools) assert.equal(pool.id, `${pool.network}_${pool.address}`);
});

test('a pool id reveals its network even without relationships.network, and never by the first "_"', () => {
  const body = JSON.stringify({
    data: [{ id: 'polygon_pos_0xabc', type: 'pool', attributes: { address: '0xabc', name: 'A / B', base_token_price_usd: '1', quote_token_price_usd: '2', reserve_in_usd: null }, relationships: { dex: { data: { id: 'quickswap', type: 'dex' } } } }],
    included: [{ id: 'quickswap', type: 'dex', attributes: { name: 'QuickSwap' } }],
  });
  const page = parsePoolsPage(body, { what: 'test', observedAt });
  assert.equal(page.pools[0]?.network, 'polygon_pos');
  assert.deepEqual(page.dexes, [{ id: 'polygon_pos_quickswap', network: 'polygon_pos', dexId: 'quickswap', name: 'QuickSwap' }]);
});

test('networks (100, 19 without a CoinGecko platform) and dexes_eth (36)', () => {
  const networks = parseNetworksPage(fixture('networks.json'), 'fixture');
  assert.equal(networks.networks.length, 100);
  assert.equal(networks.networks.filter((n) => n.coingeckoAssetPlatformId === null).length, 19);
  assert.deepEqual(networks.networks.find((n) => n.id === 'polygon_pos'), { id: 'polygon_pos', name: 'Polygon POS', coingeckoAssetPlatformId: 'polygon-pos' });
  const dexes = parseDexesPage(fixture('dexes_eth.json'), 'eth', 'fixture');
  assert.equal(dexes.dexes.length, 36);
  assert.deepEqual(dexes.dexes[0], { id: 'eth_uniswap_v2', network: 'eth', dexId: 'uniswap_v2', name: 'Uniswap V2' });
});

test('trades_solana: 300 trades, 158 buys, 142 sells, times in epoch seconds', () => {
  const page = parseTradesPage(fixture('trades_solana.json'), 'solana_7bqJG2Zd', 'fixture');
  assert.equal(page.trades.length, 300);
  assert.equal(page.trades.filter((t) => t.kind === 'buy').length, 158);
  assert.equal(page.trades.filter((t) => t.kind === 'sell').length, 142);
  const first = page.trades[0]!;
  assert.equal(first.blockTimestamp, Date.UTC(2025, 7, 28, 16, 15, 8) / 1000);
  assert.equal(first.blockNumber, 363106602);
  assert.equal(first.poolId, 'solana_7bqJG2Zd');
  const span = page.trades[0]!.blockTimestamp - page.trades.at(-1)!.blockTimestamp;
  assert.ok(span > 20 * 3600 && span < 24 * 3600, `window spans ${span} s`);
});

test('ohlcv_eth_minute15_raw: 100 rows, the duplicate kept once with flag 4, 36 inverted candles flagged', () => {
  const page = parseOhlcvPage(fixture('ohlcv_eth_minute15_raw.json'), { poolId: 'eth_0xpool', timeframe: '15m', what: 'fixture' });
  assert.equal(page.rowCount, 100);
  assert.equal(page.rejected.length, 0);
  assert.equal(page.candles.length, 99);
  const duplicates = page.candles.filter((c) => c.flags & 4);
  assert.equal(duplicates.length, 1);
  // Rule: the larger volume wins.
  assert.equal(duplicates[0]!.ts, 1689190200);
  assert.equal(duplicates[0]!.volumeUsd, '286827.8582456858');
  assert.equal(page.candles.filter((c) => c.flags & 1).length, 36);
  assert.equal(page.candles.filter((c) => c.flags & 2).length, 0);
  for (let i = 1; i < page.candles.length; i++) assert.ok(page.candles[i - 1]!.ts < page.candles[i]!.ts, 'oldest first');
  assert.equal(page.oldestTs, page.candles[0]!.ts);
});

test('duplicate timestamps resolve the same way whatever their order', () => {
  const rows = (a: string, b: string) => `{"data":{"attributes":{"ohlcv_list":[${a},${b}]}}}`;
  const x = '[1700000000, 1.5, 2, 1, 1.5, 10]';
  const y = '[1700000000, 1.25, 2, 1, 1.5, 10]';
  const one = parseOhlcvPage(rows(x, y), { poolId: 'p', timeframe: '1h', what: 't' }).candles;
  const two = parseOhlcvPage(rows(y, x), { poolId: 'p', timeframe: '1h', what: 't' }).candles;
  assert.deepEqual(one, two);
  assert.equal(one[0]!.open, '1.5', 'equal volume: the lexicographically larger row');
});

test('ohlcv_solana_minute15: 35 candles with meta, no flags', () => {
  const page = parseOhlcvPage(fixture('ohlcv_solana_minute15.json'), { poolId: 'solana_7bqJG2Zd', timeframe: '15m', what: 'fixture' });
  assert.equal(page.candles.length, 35);
  assert.ok(page.candles.every((c) => c.flags === 0));
});

test('every pool fixture parses with no rejection', () => {
  for (const name of POOL_FIXTURES) {
    const page = parsePoolsPage(fixture(name), { what: name, observedAt });
    assert.deepEqual(page.rejected, [], name);
    assert.equal(page.itemCount, 20, name);
  }
});

test('tolerance: null, "NaN", numbers for strings, strings for numbers, extra and missing windows, unknown fields', () => {
  const body = JSON.stringify({
    data: [
      {
        id: 'eth_0x1',
        type: 'pool',
        attributes: {
          address: '0x1',
          name: 'X / Y',
          base_token_price_usd: 'NaN',
          quote_token_price_usd: 12.5,
          market_cap_usd: undefined,
          reserve_in_usd: null,
          fdv_usd: '1e-7',
          price_change_percentage: { m1: '3', h24: 'NaN' },
          volume_usd: null,
          transactions: { h24: { buys: '7', sells: 3, whales: 'x' }, d7: null },
          brand_new_field: { deep: [1, 2, 3] },
        },
        relationships: { dex: { data: null } },
      },
    ],
  });
  const { pools, rejected } = parsePoolsPage(body, { what: 'test', observedAt });
  assert.deepEqual(rejected, []);
  const pool = pools[0]!;
  assert.equal(pool.baseTokenPriceUsd, null);
  assert.equal(pool.quoteTokenPriceUsd, '12.5');
  assert.equal(pool.fdvUsd, '1e-7');
  assert.equal(pool.baseTokenPriceQuoteToken, null, 'a field of some eras only: missing → null');
  assert.equal(pool.marketCapUsd, null);
  assert.deepEqual(pool.priceChangePercentage, { m1: '3', h24: null });
  assert.deepEqual(pool.volumeUsd, {});
  assert.deepEqual(pool.transactions, { h24: { buys: 7, sells: 3 }, d7: {} });
  assert.equal(pool.transactionsH24, 10);
  assert.equal(pool.dexId, null);
});

test('an invalid item is rejected with path, problem and excerpt; the rest of the page is kept', () => {
  const doc = JSON.parse(fixture('trades_solana.json')) as { data: { attributes: Record<string, unknown> }[] };
  doc.data[3]!.attributes.volume_in_usd = { nested: 'x'.repeat(500) };
  doc.data[7]!.attributes.kind = 'swap';
  delete doc.data[9]!.attributes.block_timestamp;
  const page = parseTradesPage(JSON.stringify(doc), 'solana_x', 'test');
  assert.equal(page.trades.length, 297);
  assert.deepEqual(page.rejected.map((r) => r.index), [3, 7, 9]);
  assert.match(page.rejected[0]!.reason, /^data\[3\]\.attributes\.volume_in_usd: expected a decimal string, null or "NaN" \(got \{"nested":"x+\.\.\.\)$/);
  assert.ok(page.rejected[0]!.reason.length < 200);
  assert.match(page.rejected[1]!.reason, /^data\[7\]\.attributes\.kind: .+ \(got "swap"\)$/);
  assert.equal(page.rejected[2]!.reason, 'data[9].attributes.block_timestamp: missing (got nothing)');
  assert.ok(page.rejected.every((r) => r.id?.startsWith('solana_')));
});

test('a malformed whole page is one clear bad-data error', () => {
  for (const body of ['{"data": [', '<html>502 Bad Gateway</html>', '[]', '{"data": {"id": 1}}', '{"errors": []}']) {
    assert.throws(
      () => parsePoolsPage(body, { what: 'GET /networks/eth/pools?page=1', observedAt }),
      (error: unknown) => error instanceof InvalidResponseError && error.failureClass === 'bad-data' && error.message.startsWith('GET /networks/eth/pools?page=1 returned') && !error.message.includes('\n'),
    );
  }
});

test('a renamed core field rejects the item ("missing") instead of storing a NULL price', () => {
  const doc = JSON.parse(fixture('top_pools_eth.json')) as { data: { attributes: Record<string, unknown> }[] };
  const attributes = doc.data[5]!.attributes;
  attributes.base_token_price_in_usd = attributes.base_token_price_usd;
  delete attributes.base_token_price_usd;
  const page = parsePoolsPage(JSON.stringify(doc), { what: 'test', observedAt });
  assert.equal(page.pools.length, 19);
  assert.equal(page.rejected[0]?.reason, 'data[5].attributes.base_token_price_usd: missing (got nothing)');
});
