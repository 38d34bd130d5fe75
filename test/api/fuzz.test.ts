/**
 * Property: whatever is done to a real response — fields dropped, types swapped, the JSON cut
 * short, megabyte strings inserted — the parse functions either return a page whose every
 * rejection carries a reason (and whose valid + rejected items add up), or throw one
 * InvalidResponseError ('bad-data'). Nothing else ever escapes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { InvalidResponseError, parseDexesPage, parseNetworksPage, parseOhlcvPage, parsePoolsPage, parseTradesPage, type Rejection } from '../../src/api/index.ts';
import { fixture } from './fixtures.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Parsed {
  rejected: Rejection[];
  /** Items of `data` (or OHLCV rows) in the body, and how many came out valid. */
  items: number;
  valid: number;
}

const PARSERS: Record<string, (body: string) => Parsed> = {
  'new_pools_solana_include.json': (body) => {
    const p = parsePoolsPage(body, { what: 'fuzz', observedAt: 0, network: 'solana' });
    return { rejected: p.rejected, items: p.itemCount, valid: p.pools.length };
  },
  'top_pools_eth.json': (body) => {
    const p = parsePoolsPage(body, { what: 'fuzz', observedAt: 0 });
    return { rejected: p.rejected, items: p.itemCount, valid: p.pools.length };
  },
  'new_pools_all_networks.json': (body) => {
    const p = parsePoolsPage(body, { what: 'fuzz', observedAt: 0 });
    return { rejected: p.rejected, items: p.itemCount, valid: p.pools.length };
  },
  'trades_solana.json': (body) => {
    const p = parseTradesPage(body, 'solana_x', 'fuzz');
    return { rejected: p.rejected, items: p.itemCount, valid: p.trades.length };
  },
  'networks.json': (body) => {
    const p = parseNetworksPage(body, 'fuzz');
    return { rejected: p.rejected, items: p.itemCount, valid: p.networks.length };
  },
  'dexes_eth.json': (body) => {
    const p = parseDexesPage(body, 'eth', 'fuzz');
    return { rejected: p.rejected, items: p.itemCount, valid: p.dexes.length };
  },
  'ohlcv_eth_minute15_raw.json': (body) => {
    const p = parseOhlcvPage(body, { poolId: 'p', timeframe: '15m', what: 'fuzz' });
    // Duplicate timestamps collapse, so count distinct valid rows as at most rowCount - rejected.
    return { rejected: p.rejected, items: p.rowCount, valid: p.rowCount - p.rejected.length };
  },
};

const DOCS = Object.fromEntries(Object.keys(PARSERS).map((name) => [name, JSON.parse(fixture(name)) as Json]));
const HUGE = 'x'.repeat(1 << 20);

type Path = (string | number)[];

function paths(node: Json, prefix: Path = [], out: Path[] = []): Path[] {
  if (node && typeof node === 'object') {
    for (const [key, child] of Array.isArray(node) ? node.map((c, i) => [i, c] as const) : Object.entries(node)) {
      const path = [...prefix, key];
      out.push(path);
      paths(child as Json, path, out);
    }
  }
  return out;
}

function parentOf(root: Json, path: Path): { parent: Json[] | { [key: string]: Json }; key: string | number } {
  let node = root as Json[] | { [key: string]: Json };
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, Json>)[key] as typeof node;
  return { parent: node, key: path.at(-1)! };
}

type Mutation =
  | { kind: 'drop'; at: number }
  | { kind: 'swap'; at: number; value: Json }
  | { kind: 'retype'; at: number }
  | { kind: 'huge'; at: number };

function mutate(root: Json, mutation: Mutation): void {
  const all = paths(root);
  if (all.length === 0) return;
  const { parent, key } = parentOf(root, all[mutation.at % all.length]!);
  const slot = parent as Record<string | number, Json>;
  if (mutation.kind === 'drop') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete slot[key];
  } else if (mutation.kind === 'swap') {
    slot[key] = mutation.value;
  } else if (mutation.kind === 'retype') {
    const value = slot[key]!;
    slot[key] = typeof value === 'string' ? (Number.isNaN(Number(value)) ? 42 : Number(value)) : typeof value === 'number' ? String(value) : value === null ? 'NaN' : null;
  } else {
    slot[key] = HUGE;
  }
}

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> }),
  fc.record({ kind: fc.constant('retype' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('huge' as const), at: fc.nat() }),
);

/** A reason: the path as formatPath writes it (keys that are not identifiers are JSON-quoted, so may hold spaces or colons), the problem, the excerpt. */
const REASON = /^(data|included)(\[\d+\]|\.[A-Za-z_$][\w$]*|\["(?:[^"\\]|\\.)*"\])*: .+ \(got .*\)$/s;

function check(name: string, body: string): void {
  let result: Parsed;
  try {
    result = PARSERS[name]!(body);
  } catch (error) {
    assert.ok(error instanceof InvalidResponseError, `only InvalidResponseError may escape, got ${String(error)}`);
    assert.equal(error.failureClass, 'bad-data');
    assert.ok(error.message.length > 0 && error.message.length < 400 && !error.message.includes('\n'), error.message);
    return;
  }
  for (const r of result.rejected) {
    assert.match(r.reason, REASON);
    assert.ok(r.reason.length < 600, `reason too long: ${r.reason.length}`);
    assert.ok(Number.isInteger(r.index) && r.index >= 0);
  }
  const dataRejected = result.rejected.filter((r) => !r.reason.startsWith('included')).length;
  assert.equal(result.valid + dataRejected, result.items, `${name}: valid ${result.valid} + rejected ${dataRejected} = items ${result.items}`);
}

test('mutated real fixtures never make a parse function throw anything but InvalidResponseError', () => {
  fc.assert(
    fc.property(fc.constantFrom(...Object.keys(PARSERS)), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), fc.option(fc.double({ min: 0, max: 1, noNaN: true })), (name, mutations, cut) => {
      const doc = structuredClone(DOCS[name]!);
      for (const m of mutations) mutate(doc, m);
      let body = JSON.stringify(doc);
      if (cut !== null) body = body.slice(0, Math.floor(body.length * cut));
      check(name, body);
    }),
    {
      numRuns: 300,
      // Found by CI: a key with a space in it (`transactions[" "]`) in the rejection's path.
      examples: [['top_pools_eth.json', [{ kind: 'swap', at: 2046343551, value: { ' ': 0 } }, { kind: 'huge', at: 1713990 }], null]],
    },
  );
});

test('a 1 MB string in a decimal field of every item of a page rejects each item with a short reason', () => {
  const doc = structuredClone(DOCS['trades_solana.json']!) as { data: { attributes: Record<string, Json> }[] };
  doc.data = doc.data.slice(0, 20);
  for (const item of doc.data) item.attributes.price_to_in_usd = HUGE;
  const page = parseTradesPage(JSON.stringify(doc), 'solana_x', 'fuzz');
  assert.equal(page.trades.length, 0);
  assert.equal(page.rejected.length, 20);
  assert.ok(page.rejected.every((r) => r.reason.length < 200 && r.reason.includes('price_to_in_usd')));
});
