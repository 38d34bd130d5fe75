/** The repository suite, run unchanged on SQLite and on PostgreSQL. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GtcError } from '../../src/lib/errors.ts';
import type { PoolRecord, WatchlistRecord } from '../../src/store/index.ts';
import { DIALECTS, freshStore } from './dialects.ts';
import { makeCandle, makePool, makeTrade } from '../support/records.ts';

const DIGITS_70 = '1234567890123456789012345678901234.567890123456789012345678901234567890';

for (const dialect of DIALECTS) {
  describe(`repositories on ${dialect.name}`, { skip: dialect.skip }, () => {
    test('a 70-digit decimal round-trips byte-exact; "NaN", "" and missing values become NULL', async (t) => {
      const store = await freshStore(t, dialect);
      assert.equal(DIGITS_70.replace(/\D/g, '').length, 70);
      const pool: PoolRecord = {
        ...makePool(1),
        baseTokenPriceUsd: DIGITS_70,
        quoteTokenPriceUsd: 'NaN',
        fdvUsd: '',
        marketCapUsd: undefined as unknown as null,
        reserveInUsd: '1.50',
        priceChangeH24: '-0.000000000000000001',
      };
      await store.write((tx) => tx.pools.upsert([pool]));
      const stored = await store.read.pools.byId(pool.id);
      assert.equal(stored?.baseTokenPriceUsd, DIGITS_70);
      assert.equal(stored?.quoteTokenPriceUsd, null);
      assert.equal(stored?.fdvUsd, null);
      assert.equal(stored?.marketCapUsd, null);
      assert.equal(stored?.reserveInUsd, '1.50');
      assert.equal(stored?.priceChangeH24, '-0.000000000000000001');
      await store.write((tx) => tx.candles.upsert([{ ...makeCandle(0), close: DIGITS_70, volumeUsd: 'NaN' }]));
      const [candle] = await store.read.candles.range('solana_pool1', '5m');
      assert.equal(candle?.close, DIGITS_70);
      assert.equal(candle?.volumeUsd, null);
    });

    test('a value that is not a decimal is bad data and rolls the whole transaction back', async (t) => {
      const store = await freshStore(t, dialect);
      await assert.rejects(
        store.write(async (tx) => {
          await tx.trades.insert([makeTrade(1)]);
          await tx.pools.upsert([{ ...makePool(1), fdvUsd: '12abc' }]);
        }),
        (error) => error instanceof GtcError && error.failureClass === 'bad-data' && /fdv_usd/.test(error.message),
      );
      assert.equal((await store.read.stats.tableCounts()).trades, 0);
    });

    test('pools: batch de-duplicated by key (last wins), chunked past the variable limit, read by id and search', async (t) => {
      const store = await freshStore(t, dialect);
      const pools = Array.from({ length: 3000 }, (_, i) => makePool(i));
      const batch = [...pools, makePool(7, 1), makePool(7, 2), makePool(2999, 5)];
      const written = await store.write((tx) => tx.pools.upsert(batch));
      assert.equal(written, 3000);
      assert.equal((await store.read.stats.tableCounts()).pools, 3000);
      assert.deepEqual(await store.read.pools.byId('solana_pool7'), makePool(7, 2));
      assert.deepEqual(await store.read.pools.byId('solana_pool2999'), makePool(2999, 5));
      assert.deepEqual(await store.read.pools.byId('solana_pool5'), makePool(5));
      assert.equal((await store.read.pools.byIds(pools.map((p) => p.id))).length, 3000);
      assert.equal(await store.read.pools.byId('nope'), undefined);

      const found = await store.read.pools.search({ q: 'tok12 / sol', limit: 10 });
      assert.deepEqual(found.map((p) => p.id), ['solana_pool12']);
      assert.deepEqual((await store.read.pools.search({ q: 'POOL33' })).map((p) => p.id), ['solana_pool33'], 'by address');
      assert.deepEqual((await store.read.pools.search({ q: 'ool33' })).map((p) => p.id), [], 'an address matches whole');
      assert.deepEqual((await store.read.pools.search({ q: 'solana_pool33' })).map((p) => p.id), ['solana_pool33'], 'by id');
      const top = await store.read.pools.search({ network: 'solana', limit: 3 });
      assert.deepEqual(top.map((p) => p.id), ['solana_pool2999', 'solana_pool2998', 'solana_pool2997'], 'largest reserve first');
      assert.deepEqual(await store.read.pools.search({ q: '100%_' }), []);
    });

    test('pools: an older observation never overwrites a newer one', async (t) => {
      const store = await freshStore(t, dialect);
      await store.write((tx) => tx.pools.upsert([makePool(1, 5)]));
      assert.equal(await store.write((tx) => tx.pools.upsert([makePool(1, 3)])), 0);
      assert.deepEqual(await store.read.pools.byId('solana_pool1'), makePool(1, 5));
      await store.write((tx) => tx.pools.upsert([makePool(1, 6)]));
      assert.deepEqual(await store.read.pools.byId('solana_pool1'), makePool(1, 6));
    });

    test('snapshots and reference data (networks, dexes, tokens)', async (t) => {
      const store = await freshStore(t, dialect);
      await store.write(async (tx) => {
        await tx.networks.upsert([{ id: 'solana', name: 'Solana', coingeckoAssetPlatformId: 'solana' }, { id: 'eth', name: 'Ethereum', coingeckoAssetPlatformId: null }]);
        await tx.dexes.upsert([{ id: 'solana_raydium', network: 'solana', dexId: 'raydium', name: 'Raydium' }, { id: 'eth_uniswap_v3', network: 'eth', dexId: 'uniswap_v3', name: 'Uniswap V3' }]);
        await tx.tokens.upsert([{ id: 'solana_m', network: 'solana', address: 'm', name: '<script>', symbol: '=cmd()', decimals: 9, imageUrl: null, coingeckoCoinId: null }]);
        const pool = makePool(1);
        await tx.snapshots.insert([1, 2, 2].map((k) => ({ poolId: pool.id, observedAt: 100 * k, source: 'new-pools', baseTokenPriceUsd: pool.baseTokenPriceUsd, quoteTokenPriceUsd: null, reserveInUsd: `${k}.0`, fdvUsd: null, marketCapUsd: null, volumeUsdH24: null, transactionsH24: k, priceChangeH24: null })));
      });
      assert.deepEqual((await store.read.networks.list()).map((n) => n.id), ['eth', 'solana']);
      assert.deepEqual((await store.read.dexes.list('solana')).map((d) => d.name), ['Raydium']);
      assert.equal((await store.read.tokens.byIds(['solana_m']))[0]?.symbol, '=cmd()');
      const snapshots = await store.read.snapshots.forPool('solana_pool1');
      assert.deepEqual(snapshots.map((s) => [s.observedAt, s.reserveInUsd, s.transactionsH24]), [[100, '1.0', 1], [200, '2.0', 2]]);
    });

    test('trades: inserted once, the count of new ones reported; time range and id lookup', async (t) => {
      const store = await freshStore(t, dialect);
      const first = Array.from({ length: 300 }, (_, i) => makeTrade(i));
      assert.equal(await store.write((tx) => tx.trades.insert([...first, makeTrade(5)])), 300);
      const second = Array.from({ length: 300 }, (_, i) => makeTrade(i + 200));
      assert.equal(await store.write((tx) => tx.trades.insert(second)), 200);
      assert.deepEqual(await store.read.trades.timeRange('solana_pool1'), { oldest: 1_750_000_000, newest: 1_750_000_499, count: 500 });
      assert.equal(await store.read.trades.timeRange('solana_other'), null);
      const existing = await store.read.trades.existingIds([makeTrade(0).id, makeTrade(499).id, 'missing']);
      assert.deepEqual([...existing].sort(), [makeTrade(0).id, makeTrade(499).id].sort());
      const range = await store.read.trades.range('solana_pool1', { fromTs: 1_750_000_010, toTs: 1_750_000_012 });
      assert.deepEqual(range, [makeTrade(10), makeTrade(11), makeTrade(12)]);
    });

    test('candles: upserted (the open candle changes); newest per pool and timeframe', async (t) => {
      const store = await freshStore(t, dialect);
      await store.write((tx) => tx.candles.upsert(Array.from({ length: 10 }, (_, i) => makeCandle(i))));
      const changed = await store.write((tx) => tx.candles.upsert([
        ...Array.from({ length: 9 }, (_, i) => makeCandle(i)),
        makeCandle(9, 'solana_pool1', 1),
        { ...makeCandle(3, 'solana_pool2'), timeframe: '1h', flags: 5 },
        { ...makeCandle(8), volumeUsd: `${makeCandle(8).volumeUsd}0` },
      ]));
      assert.equal(changed, 3, 'unchanged candles are not rewritten; a changed lexeme is a change');
      const candles = await store.read.candles.range('solana_pool1', '5m');
      assert.equal(candles.length, 10);
      assert.deepEqual(candles.at(-1), makeCandle(9, 'solana_pool1', 1));
      assert.equal(candles.at(-2)?.volumeUsd, `${makeCandle(8).volumeUsd}0`);
      assert.equal(await store.read.candles.newestTs('solana_pool1', '5m'), makeCandle(9).ts);
      assert.equal(await store.read.candles.newestTs('solana_pool1', '1h'), null);
      assert.deepEqual(await store.read.candles.newestAll(), [
        { poolId: 'solana_pool1', timeframe: '5m', ts: makeCandle(9).ts },
        { poolId: 'solana_pool2', timeframe: '1h', ts: makeCandle(3).ts },
      ]);
      assert.deepEqual(await store.read.candles.newestAll(['solana_pool2']), [{ poolId: 'solana_pool2', timeframe: '1h', ts: makeCandle(3).ts }]);
      assert.equal((await store.read.candles.range('solana_pool1', '5m', { fromTs: makeCandle(2).ts, toTs: makeCandle(4).ts })).length, 3);
    });

    test('watchlist: added_at kept on update, active list joined with pool names', async (t) => {
      const store = await freshStore(t, dialect);
      const entry = (poolId: string, at: number, active = true): WatchlistRecord => ({ poolId, active, source: 'manual', score: null, addedAt: at, updatedAt: at, symbol: null, name: null, note: null, belowSince: null });
      await store.write(async (tx) => {
        await tx.pools.upsert([makePool(1)]);
        await tx.watchlist.upsert([entry('solana_pool1', 100), entry('solana_pool2', 200), entry('solana_pool3', 300, false)]);
      });
      await store.write((tx) => tx.watchlist.upsert([{ ...entry('solana_pool1', 500), score: '0.75', source: 'discovery' }]));
      const active = await store.read.watchlist.list();
      assert.deepEqual(active.map((w) => [w.poolId, w.addedAt, w.updatedAt, w.poolName, w.active]), [
        ['solana_pool1', 100, 500, 'TOK1 / SOL v0', true],
        ['solana_pool2', 200, 200, null, true],
      ]);
      assert.equal(active[0]?.score, '0.75');
      assert.equal((await store.read.watchlist.list({ all: true })).length, 3);
      assert.equal(await store.write((tx) => tx.watchlist.setActive('solana_pool2', false, 600)), true);
      assert.equal(await store.write((tx) => tx.watchlist.setActive('solana_nope', false, 600)), false);
      assert.deepEqual((await store.read.watchlist.list()).map((w) => w.poolId), ['solana_pool1']);
      assert.equal(await store.write((tx) => tx.watchlist.remove('solana_pool3')), true);
      assert.equal(await store.read.watchlist.get('solana_pool3'), undefined);
    });

    test('runs: start, add counts, finish, recent, abandon', async (t) => {
      const store = await freshStore(t, dialect);
      const ids = await store.write(async (tx) => [
        await tx.runs.start({ collector: 'top-pools:solana', instanceId: 'a', slotStart: 600, startedAt: 1000 }),
        await tx.runs.start({ collector: 'ohlcv', instanceId: 'a', startedAt: 1001 }),
        await tx.runs.start({ collector: 'ohlcv', instanceId: 'b', startedAt: 1002 }),
      ]);
      const [first, second] = ids as [number, number, number];
      await store.write(async (tx) => {
        await tx.runs.addCounts(first, 20, 1);
        await tx.runs.addCounts(first, 20);
        await tx.runs.finish(first, { finishedAt: 1010, status: 'ok' });
        await tx.runs.finish(second, { finishedAt: 1011, status: 'failed', error: 'boom', failureClass: 'api-down', rowsWritten: 3 });
      });
      assert.deepEqual(await store.read.runs.get(first), { id: first, collector: 'top-pools:solana', instanceId: 'a', slotStart: 600, startedAt: 1000, finishedAt: 1010, status: 'ok', rowsWritten: 40, rejected: 1, error: null, failureClass: null });
      assert.deepEqual((await store.read.runs.recent({ collector: 'ohlcv' })).map((r) => [r.instanceId, r.status, r.rowsWritten]), [['b', 'running', 0], ['a', 'failed', 3]]);
      assert.equal(await store.write((tx) => tx.runs.markAbandoned({ instanceId: 'b' }, 2000)), 1);
      assert.equal(await store.write((tx) => tx.runs.markAbandoned({ startedBefore: 5000 }, 2000)), 0);
      assert.deepEqual((await store.read.runs.recent({ status: 'abandoned' })).map((r) => [r.instanceId, r.finishedAt]), [['b', 2000]]);
      assert.equal((await store.read.runs.recent({ limit: 2 })).length, 2);
    });

    test('runs: the newest start of another instance\'s run that wrote rows since a time (news that the API is up)', async (t) => {
      const store = await freshStore(t, dialect);
      const run = async (collector: string, instanceId: string, startedAt: number, rows: number, status?: 'ok' | 'failed'): Promise<void> => {
        await store.write(async (tx) => {
          const id = await tx.runs.start({ collector, instanceId, startedAt });
          if (rows > 0) await tx.runs.addCounts(id, rows);
          if (status) await tx.runs.finish(id, { finishedAt: startedAt + 5, status });
        });
      };
      const ask = (since: number): Promise<number | undefined> => store.read.runs.newestStartWithRows({ collectors: ['watchlist', 'ohlcv'], since, excludeInstance: 'me' });
      await run('watchlist', 'other', 990, 4, 'ok');
      assert.equal(await ask(1000), undefined, 'started before the time asked');
      await run('watchlist', 'me', 1010, 4, 'ok');
      await run('watchlist', 'other', 1011, 0, 'ok');
      await run('ohlcv', 'other', 1012, 3, 'failed');
      await run('dexes:solana', 'other', 1013, 9, 'ok');
      assert.equal(await ask(1000), undefined, 'own runs, runs without rows, failed runs and other collectors are no news');
      await run('ohlcv', 'other', 1020, 2);
      assert.equal(await ask(1000), 1020, 'a run still running that wrote rows is news');
      await run('watchlist', 'third', 1030, 1, 'ok');
      assert.equal(await ask(1000), 1030);
      assert.equal(await ask(1031), undefined);
      assert.equal(await store.read.runs.newestStartWithRows({ collectors: [], since: 0, excludeInstance: 'me' }), undefined);
    });

    test('collector state and checkpoints', async (t) => {
      const store = await freshStore(t, dialect);
      const state = { collector: 'ohlcv', state: 'healthy', consecutiveFailures: 0, intervalS: 900, configuredIntervalS: 900, nextRunAt: 2000, lastRunAt: 1000, lastSuccessAt: 1000, lastError: null, disabled: false, updatedAt: 1000 };
      await store.write((tx) => tx.collectorState.upsert([state]));
      await store.write((tx) => tx.collectorState.setDisabled('ohlcv', true, 1500));
      await store.write((tx) => tx.collectorState.setDisabled('trades', true, 1500));
      await store.write((tx) => tx.collectorState.upsert([{ ...state, state: 'degraded', consecutiveFailures: 1, lastError: 'x', updatedAt: 1600 }]));
      assert.deepEqual(await store.read.collectorState.get('ohlcv'), { ...state, state: 'degraded', consecutiveFailures: 1, lastError: 'x', updatedAt: 1600, disabled: true });
      assert.deepEqual((await store.read.collectorState.list()).map((s) => [s.collector, s.disabled]), [['ohlcv', true], ['trades', true]]);
      await store.write((tx) => tx.collectorState.setDisabled('ohlcv', false, 1700));
      assert.equal((await store.read.collectorState.get('ohlcv'))?.disabled, false);

      await store.write(async (tx) => {
        await tx.checkpoints.set('ohlcv', 'solana_pool1:5m', '100', 10);
        await tx.checkpoints.setMany('ohlcv', [{ key: 'solana_pool1:1h', value: '200' }, { key: 'solana_pool2:5m', value: '300' }, { key: 'solana_pool1:5m', value: '150' }], 20);
      });
      assert.deepEqual(await store.read.checkpoints.get('ohlcv', 'solana_pool1:5m'), { key: 'solana_pool1:5m', value: '150', updatedAt: 20 });
      assert.equal(await store.read.checkpoints.get('ohlcv', 'missing'), undefined);
      assert.deepEqual((await store.read.checkpoints.list('ohlcv', 'solana_pool1:')).map((c) => c.key), ['solana_pool1:1h', 'solana_pool1:5m']);
      assert.equal((await store.read.checkpoints.list('ohlcv')).length, 3);
    });

    test('data gaps: recorded once, listed while open, resolved', async (t) => {
      const store = await freshStore(t, dialect);
      const gap = { poolId: 'solana_pool1', kind: 'trades' as const, timeframe: null, fromTs: 100, toTs: 200, reason: 'more than 300 trades in the window', detectedAt: 300 };
      assert.equal(await store.write((tx) => tx.gaps.insert([gap, gap])), 1);
      assert.equal(await store.write((tx) => tx.gaps.insert([gap, { ...gap, kind: 'ohlcv', timeframe: '5m' }])), 1);
      const open = await store.read.gaps.listOpen();
      assert.deepEqual(open.map(({ id: _id, ...rest }) => rest), [{ ...gap, resolvedAt: null }, { ...gap, kind: 'ohlcv', timeframe: '5m', resolvedAt: null }]);
      assert.equal(await store.write((tx) => tx.gaps.resolve((open[0] as { id: number }).id, 400)), true);
      assert.deepEqual((await store.read.gaps.listOpen({ poolId: 'solana_pool1' })).map((g) => g.kind), ['ohlcv']);
      assert.equal((await store.read.gaps.list()).length, 2);
    });

    test('slot claims: one winner, expired unfinished claims taken over, finished ones never', async (t) => {
      const store = await freshStore(t, dialect);
      const claim = (instanceId: string, now: number, slotStart = 600) => store.write((tx) => tx.slotClaims.claim({ collector: 'ohlcv', slotStart, instanceId, now, expiresAt: now + 100 }));
      assert.equal(await claim('a', 600), true);
      assert.equal(await claim('b', 650), false);
      assert.equal(await claim('b', 701), true, 'expired and unfinished: taken over');
      assert.equal((await store.read.slotClaims.get('ohlcv', 600))?.instanceId, 'b');
      assert.equal(await store.write((tx) => tx.slotClaims.finish('ohlcv', 600, 'a', 720)), false, 'a no longer holds it');
      assert.equal(await store.write((tx) => tx.slotClaims.finish('ohlcv', 600, 'b', 720)), true);
      assert.equal(await claim('c', 5000), false, 'finished: never re-run');
      assert.equal(await claim('c', 5000, 900), true);
      assert.equal(await store.write((tx) => tx.slotClaims.prune(900, 10)), 1);
    });

    test('slot claims: pruned in batches, older than a time, the newest of each collector kept', async (t) => {
      const store = await freshStore(t, dialect);
      await store.write(async (tx) => {
        for (let slot = 0; slot < 25; slot++) await tx.slotClaims.claim({ collector: 'ohlcv', slotStart: slot * 60, instanceId: 'a', now: slot * 60, expiresAt: slot * 60 + 100 });
        // A daily instance whose only claim is old: it may be the current slot, so it stays.
        await tx.slotClaims.claim({ collector: 'dexes', slotStart: 0, instanceId: 'a', now: 0, expiresAt: 100 });
      });
      const prune = () => store.write((tx) => tx.slotClaims.prune(1200, 7));
      assert.deepEqual([await prune(), await prune(), await prune(), await prune()], [7, 7, 6, 0], 'the 20 ohlcv claims before 1200, 7 at a time');
      const left = await store.db.selectFrom('slot_claims').select(['collector', 'slot_start']).orderBy('collector').orderBy('slot_start').execute();
      assert.deepEqual(left.map((r) => `${r.collector}@${Number(r.slot_start)}`), ['dexes@0', ...Array.from({ length: 5 }, (_, i) => `ohlcv@${(20 + i) * 60}`)]);
      await store.write((tx) => tx.slotClaims.claim({ collector: 'dexes', slotStart: 86_400, instanceId: 'a', now: 86_400, expiresAt: 86_500 }));
      assert.equal(await store.write((tx) => tx.slotClaims.prune(1200, 7)), 1, 'no longer the newest: pruned');
    });

    test('slot claims: an owner renews, reopens and releases only its own claims', async (t) => {
      const store = await freshStore(t, dialect);
      const claim = (instanceId: string, now: number, slotStart = 600) => store.write((tx) => tx.slotClaims.claim({ collector: 'trades', slotStart, instanceId, now, expiresAt: now + 100 }));
      const get = (slotStart = 600) => store.read.slotClaims.get('trades', slotStart);
      assert.equal(await claim('a', 600), true);
      assert.equal(await store.write((tx) => tx.slotClaims.renew('trades', 600, 'b', 9000)), false, 'b holds nothing');
      assert.equal(await store.write((tx) => tx.slotClaims.renew('trades', 600, 'a', 900)), true);
      assert.equal(await claim('b', 800), false, 'renewed: not expired at 800');
      assert.equal(await store.write((tx) => tx.slotClaims.finish('trades', 600, 'a', 810)), true);
      assert.equal(await store.write((tx) => tx.slotClaims.reopen('trades', 600, 'a', 1000)), true);
      assert.deepEqual(await get(), { collector: 'trades', slotStart: 600, instanceId: 'a', claimedAt: 600, expiresAt: 1000, finishedAt: null });
      assert.equal(await store.write((tx) => tx.slotClaims.release('trades', 600, 'a', 820)), true);
      assert.equal((await get())?.expiresAt, 819);
      assert.equal(await claim('b', 820), true, 'released: taken over at once');
      assert.equal(await claim('b', 830, 1200), true);
      await store.write((tx) => tx.slotClaims.finish('trades', 1200, 'b', 840));
      assert.equal(await claim('b', 850, 1500), true);
      assert.equal(await store.write((tx) => tx.slotClaims.releaseUnfinished('b', 860)), 2, 'the two unfinished claims of b, not the finished one');
      assert.deepEqual([(await get())?.expiresAt, (await get(1200))?.expiresAt, (await get(1500))?.expiresAt], [859, 930, 859]);
    });

    test('api budget: counted atomically up to the limit per window', async (t) => {
      const store = await freshStore(t, dialect);
      const use = (windowStart: number, limit = 3) => store.write((tx) => tx.apiBudget.consume('host-a', windowStart, limit));
      assert.deepEqual(await use(60), { allowed: true, calls: 1, windowStart: 60 });
      await use(60);
      assert.deepEqual(await use(60), { allowed: true, calls: 3, windowStart: 60 });
      assert.deepEqual(await use(60), { allowed: false, calls: 3, windowStart: 60 });
      assert.deepEqual(await use(0), { allowed: false, calls: 3, windowStart: 60 }, 'a clock behind counts against the newer window');
      assert.deepEqual(await use(120), { allowed: true, calls: 1, windowStart: 120 });
      assert.deepEqual(await store.write((tx) => tx.apiBudget.consume('host-b', 60, 0)), { allowed: false, calls: 0, windowStart: 60 });
      assert.deepEqual(await store.read.apiBudget.peek('host-a'), { calls: 1, windowStart: 120 });
    });

    test('api budget: a refused call is given back to its window, never to a newer one, never below zero', async (t) => {
      const store = await freshStore(t, dialect);
      const use = (windowStart: number) => store.write((tx) => tx.apiBudget.consume('host-a', windowStart, 3));
      const giveBack = (windowStart: number) => store.write((tx) => tx.apiBudget.giveBack('host-a', windowStart));
      await use(60);
      await use(60);
      await giveBack(60);
      assert.deepEqual(await store.read.apiBudget.peek('host-a'), { calls: 1, windowStart: 60 });
      await use(120);
      await giveBack(60);
      assert.deepEqual(await store.read.apiBudget.peek('host-a'), { calls: 1, windowStart: 120 }, 'the window has passed: nothing');
      await giveBack(120);
      await giveBack(120);
      assert.deepEqual(await store.read.apiBudget.peek('host-a'), { calls: 0, windowStart: 120 });
      await giveBack(60);
    });

    test('a failing callback rolls back and its error comes out unchanged', async (t) => {
      const store = await freshStore(t, dialect);
      const boom = new Error('boom');
      await assert.rejects(store.write(async (tx) => {
        await tx.pools.upsert([makePool(1)]);
        throw boom;
      }), (error) => error === boom);
      assert.equal((await store.read.stats.tableCounts()).pools, 0);
      assert.equal(store.breakerState, 'closed');
    });
  });
}
