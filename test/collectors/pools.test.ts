/**
 * Pool collectors against the simulator over HTTP and a real SQLite file: the watchlist refresh
 * costs ceil(n / 30) calls (counted at the simulator), names come from `included` (never
 * placeholders), prices are stored byte-exact, a corrupted item is rejected with its reason while
 * the rest of its page is stored, and the run's counters commit with the pages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { buildCollectors } from '../../src/collectors/index.ts';
import { createLogger } from '../../src/lib/log.ts';
import { tempDir } from '../support/temp-dir.ts';
import { runOnce, startHarness, watchPools } from './support/harness.ts';

test('refreshing 95 watched pools costs 4 API calls, counted at the simulator', async (t) => {
  const h = await startHarness({ dir: tempDir(t), sim: { poolsPerNetwork: 120 } });
  t.after(() => h.close());
  const ids = await watchPools(h, 95);
  h.sim.stats.reset();
  const [watchlist] = buildCollectors(h.deps, { collectors: ['watchlist'] });
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }) });
  const summary = await runOnce({ ...h, logger }, watchlist!);
  const stats = h.sim.stats.snapshot();
  assert.equal(stats.total, 4);
  assert.deepEqual(stats.byRoute['/networks/:network/pools/multi/:addresses'], { 200: 4 });
  assert.equal(summary.apiCalls, 4);
  assert.equal(summary.pages, 4);
  const pools = await h.store.read.pools.byIds(ids);
  assert.equal(pools.length, 95);
  const snapshots = await h.store.db.selectFrom('pool_snapshots').select(({ fn }) => fn.countAll<number>().as('n')).where('source', '=', 'watchlist').executeTakeFirstOrThrow();
  assert.equal(Number(snapshots.n), 95);
  const run = await h.store.read.runs.get(summary.runId);
  assert.equal(run?.rowsWritten, summary.rowsWritten);
  assert.ok(summary.rowsWritten >= 95 * 2);
  // Each page's commit is logged at debug level (a long run's progress; the chaos harness's "data flowed").
  const pageLines = lines.map((l) => JSON.parse(l) as { msg: string; rows?: number; source?: string }).filter((l) => l.msg === 'page stored');
  assert.equal(pageLines.length, 4);
  assert.equal(pageLines.reduce((sum, l) => sum + (l.rows ?? 0), 0), summary.rowsWritten);
  assert.ok(pageLines.every((l) => typeof l.source === 'string' && l.source.length > 0));
  // The watchlist rows got their symbol and name from the API.
  const watched = await h.store.read.watchlist.list();
  assert.ok(watched.every((w) => w.symbol && w.name));
});

test('top and new pools: real token and dex names from included, prices byte-exact, every sighting in pool_snapshots', async (t) => {
  const h = await startHarness({ dir: tempDir(t), sim: { hostileNames: true }, config: { collectors: { 'top-pools': { dexes: ['raydium'], pages: 2 } } } });
  t.after(() => h.close());
  for (const instance of buildCollectors(h.deps, { collectors: ['dexes', 'top-pools', 'new-pools'] })) await runOnce(h, instance);
  const tokens = await h.store.db.selectFrom('tokens').selectAll().execute();
  const truthTokens = new Map(h.sim.market.truth.tokens().map((tk) => [tk.id, tk]));
  assert.ok(tokens.length > 20);
  for (const token of tokens) {
    const truth = truthTokens.get(token.id);
    assert.ok(truth, `token ${token.id} exists upstream`);
    assert.equal(token.name, truth.name);
    assert.equal(token.symbol, truth.symbol);
    assert.equal(token.decimals, truth.decimals);
    assert.doesNotMatch(token.name, /^Token [0-9A-Za-z]+\.\.\.$/);
  }
  const dexes = await h.store.read.dexes.list('solana');
  assert.ok(dexes.length > 0 && dexes.every((d) => d.name.length > 0 && d.name !== d.dexId));
  // Prices byte-exact: one more call with a token in the bucket, so the clock does not move
  // between the simulator's answer and the comparison.
  const watched = await watchPools(h, 10);
  await h.clock.advance(5000);
  const [watchlist] = buildCollectors(h.deps, { collectors: ['watchlist'] });
  await runOnce(h, watchlist!);
  const pools = await h.store.read.pools.byIds(watched);
  assert.equal(pools.length, 10);
  for (const pool of pools) {
    const wire = h.sim.market.truth.pool(pool.id);
    assert.ok(wire);
    const a = wire.attributes;
    assert.deepEqual(
      [pool.baseTokenPriceUsd, pool.quoteTokenPriceUsd, pool.baseTokenPriceNativeCurrency, pool.reserveInUsd, pool.fdvUsd, pool.volumeUsdH24],
      [a.base_token_price_usd, a.quote_token_price_usd, a.base_token_price_native_currency, a.reserve_in_usd, a.fdv_usd, a.volume_usd.h24],
    );
    assert.ok((pool.baseTokenPriceUsd ?? '').length > 20, 'a long decimal string, not a rounded float');
  }
  const sources = await h.store.db.selectFrom('pool_snapshots').select('source').distinct().execute();
  assert.deepEqual(sources.map((s) => s.source).sort(), ['new-pools', 'top-pools', 'watchlist']);
});

test('a page with one corrupted item stores the others and reports one rejection with its reason', async (t) => {
  const h = await startHarness({ dir: tempDir(t) });
  t.after(() => h.close());
  h.sim.faults.set({ mode: 'drift', variant: 'corrupt-item', paths: 'new_pools' });
  const [newPools] = buildCollectors(h.deps, { collectors: ['new-pools'] });
  const summary = await runOnce(h, newPools!);
  assert.equal(summary.rejected, 1);
  assert.equal(summary.rejections.length, 1);
  const [rejection] = summary.rejections;
  assert.match(rejection!.source, /^new-pools solana page 1$/);
  assert.match(rejection!.reason, /^data\[\d+\]\./);
  const stored = await h.store.db.selectFrom('pool_snapshots').select(({ fn }) => fn.countAll<number>().as('n')).where('source', '=', 'new-pools').executeTakeFirstOrThrow();
  assert.equal(Number(stored.n), 19);
  const run = await h.store.read.runs.get(summary.runId);
  assert.equal(run?.rejected, 1);
  assert.equal(run?.rowsWritten, summary.rowsWritten);
});
