/**
 * Every decimal the fixtures hold comes out of the client byte-exact: the raw JSON is walked
 * independently of the client, each decimal string is looked up in the parsed records, and the
 * OHLCV number lexemes are cut from the raw text and compared with the candles.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOhlcvPage, parsePoolsPage, parseTradesPage, type CandleRecord } from '../../src/api/index.ts';
import { fixture, OHLCV_FIXTURES, POOL_FIXTURES } from './fixtures.ts';

const DECIMAL = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Every decimal string under `attributes` of each `data` item: `[itemId, attributePath, value]`. */
function decimalStrings(doc: { data: { id: string; attributes: Record<string, unknown> }[] }): { id: string; key: string; window?: string; value: string }[] {
  const out: { id: string; key: string; window?: string; value: string }[] = [];
  for (const item of doc.data) {
    for (const [key, value] of Object.entries(item.attributes)) {
      if (typeof value === 'string' && DECIMAL.test(value)) out.push({ id: item.id, key, value });
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        for (const [window, inner] of Object.entries(value)) if (typeof inner === 'string' && DECIMAL.test(inner)) out.push({ id: item.id, key, window, value: inner });
      }
    }
  }
  return out;
}

test('every decimal string of every pool fixture is byte-exact in the PoolRecords', () => {
  let checked = 0;
  for (const name of POOL_FIXTURES) {
    const text = fixture(name);
    const pools = new Map(parsePoolsPage(text, { what: name, observedAt: 0 }).pools.map((p) => [p.id, p as unknown as Record<string, unknown>]));
    for (const { id, key, window, value } of decimalStrings(JSON.parse(text))) {
      const pool = pools.get(id);
      assert.ok(pool, `${name}: pool ${id} parsed`);
      if (key === 'token_price_usd') {
        // The queried token's price: always equal (as text) to the base or the quote price, which are kept.
        assert.ok(value === pool.baseTokenPriceUsd || value === pool.quoteTokenPriceUsd, `${name} ${id} token_price_usd`);
      } else if (window === undefined) {
        assert.equal(pool[camel(key)], value, `${name} ${id} ${key}`);
      } else {
        assert.equal((pool[camel(key)] as Record<string, unknown>)[window], value, `${name} ${id} ${key}.${window}`);
      }
      checked++;
    }
  }
  assert.ok(checked > 1500, `checked ${checked} decimals`);
});

test('every decimal string of trades_solana is byte-exact in the TradeRecords', () => {
  const text = fixture('trades_solana.json');
  const trades = new Map(parseTradesPage(text, 'solana_p', 'fixture').trades.map((t) => [t.id, t as unknown as Record<string, unknown>]));
  const found = decimalStrings(JSON.parse(text));
  for (const { id, key, value } of found) assert.equal(trades.get(id)?.[camel(key)], value, `${id} ${key}`);
  assert.equal(found.length, 300 * 7);
});

/** The OHLCV rows as lexemes, cut from the raw text by bracket depth (rows hold only numbers). */
function rawRows(text: string): string[][] {
  const start = text.indexOf('[', text.indexOf('"ohlcv_list"'));
  const rows: string[][] = [];
  let depth = 0;
  let rowStart = -1;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '[') {
      depth++;
      if (depth === 2) rowStart = i;
    } else if (c === ']') {
      if (depth === 2) rows.push(text.slice(rowStart + 1, i).split(',').map((s) => s.trim()));
      depth--;
      if (depth === 0) break;
    }
  }
  return rows;
}

test('every OHLCV number lexeme comes out exactly as sent (not through doubles)', () => {
  for (const name of OHLCV_FIXTURES) {
    const text = fixture(name);
    const rows = rawRows(text);
    const { candles } = parseOhlcvPage(text, { poolId: 'p', timeframe: '15m', what: name });
    const key = (c: CandleRecord) => [String(c.ts), c.open, c.high, c.low, c.close, c.volumeUsd].join(',');
    const emitted = new Set(candles.map(key));
    const kept = rows.filter((row) => emitted.has(row.join(',')));
    // Each candle is one raw row verbatim; only the losing duplicate row is not emitted.
    assert.equal(kept.length, candles.length, name);
    const droppedTs = rows.filter((row) => !emitted.has(row.join(','))).map((row) => Number(row[0]));
    for (const ts of droppedTs) assert.ok(candles.some((c) => c.ts === ts && c.flags & 4), `${name}: dropped row ${ts} is a duplicate`);
  }
});

test('OHLCV lexemes beyond double precision, trailing zeros and exponents are kept verbatim', () => {
  const row = '[1700000000, 0.000012345678901234567890123, 1.0, 1e-9, 0.50, 123456789012345678901234567890.5]';
  const { candles } = parseOhlcvPage(`{"data":{"id":"x","attributes":{"ohlcv_list":[${row}]}}}`, { poolId: 'p', timeframe: '1d', what: 'test' });
  const c = candles[0]!;
  assert.deepEqual([c.open, c.high, c.low, c.close, c.volumeUsd], ['0.000012345678901234567890123', '1.0', '1e-9', '0.50', '123456789012345678901234567890.5']);
  // open 0.0000123… and close 0.50 lie within [low, high] = [1e-9, 1.0], compared exactly.
  assert.equal(c.flags, 0);
});
