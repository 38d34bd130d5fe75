import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/lib/clock.ts';
import { GtcError } from '../../src/lib/errors.ts';
import { drive, openSqliteStore, recordedDaemon, recoveryConfig, scriptedCollector, settle } from './harness.ts';

const T0 = Date.UTC(2025, 8, 15, 6, 45, 0);
const MIN = 60_000;

describe('scheduler', () => {
  it('runs first at start, then once per interval on the slot grid', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0 + 10_000);
    const c = scriptedCollector(store, 'top-pools:solana', { intervalMs: 5 * MIN });
    const { daemon } = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [c], probes: { api: async () => {} }, clock });
    await daemon.start();
    await drive(clock, 16 * MIN, 1000);
    await daemon.stop();
    assert.deepEqual(c.runs.map((r) => (r.start - T0) / 1000), [10, 300, 600, 900]);
    const rows = await store.read.runs.recent({ collector: 'top-pools:solana' });
    assert.equal(rows.length, 4);
    assert.ok(rows.every((r) => r.status === 'ok' && r.rowsWritten === 1));
  });

  it('never overlaps runs of one instance; a slow run is followed by one catch-up run, not a burst', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const c = scriptedCollector(store, 'slow', { intervalMs: MIN, behaviour: (ctx, n) => (n === 1 ? ctx.clock.sleep(3.5 * MIN).then(() => 1) : 1) });
    const { daemon } = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [c], probes: { api: async () => {} }, clock });
    await daemon.start();
    await drive(clock, 6 * MIN, 1000);
    await daemon.stop();
    assert.equal(c.maxActive, 1);
    // Run 1 lasts 3.5 min; slots 1–3 were missed: one catch-up at 3.5 min, then the grid again.
    assert.deepEqual(c.runs.map((r) => (r.start - T0) / 1000), [0, 210, 240, 300, 360]);
  });

  it('after downtime resumes from collector_state with ONE catch-up run', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const first = scriptedCollector(store, 'new-pools:solana', { intervalMs: 5 * MIN });
    const a = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [first], probes: { api: async () => {} }, clock });
    await a.daemon.start();
    await drive(clock, 6 * MIN, 1000);
    await a.daemon.stop();
    assert.equal(first.runs.length, 2);

    await clock.advance(60 * MIN); // the process was down for an hour: 12 slots missed
    const second = scriptedCollector(store, 'new-pools:solana', { intervalMs: 5 * MIN });
    const b = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [second], probes: { api: async () => {} }, clock });
    await b.daemon.start();
    await drive(clock, 4 * MIN, 1000);
    await b.daemon.stop();
    assert.deepEqual(second.runs.map((r) => (r.start - T0) / MIN), [66, 70]);
  });

  it('a quick restart waits for the persisted next run instead of running the same slot again', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const first = scriptedCollector(store, 'dexes:solana', { intervalMs: 10 * MIN });
    const a = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [first], probes: { api: async () => {} }, clock });
    await a.daemon.start();
    await drive(clock, MIN, 1000);
    await a.daemon.stop();
    const second = scriptedCollector(store, 'dexes:solana', { intervalMs: 10 * MIN });
    const b = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [second], probes: { api: async () => {} }, clock });
    await b.daemon.start();
    await drive(clock, 10 * MIN, 1000);
    await b.daemon.stop();
    // Slots sit on the grid of the interval from the epoch: 06:40, 06:50 — the next is 06:50.
    assert.deepEqual(second.runs.map((r) => (r.start - T0) / MIN), [5]);
  });

  it('cuts a hanging run at the run time limit; other instances keep their schedule', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const hanging = scriptedCollector(store, 'trades', {
      intervalMs: 10 * MIN,
      behaviour: (ctx, n) => (n === 1 ? new Promise<number>((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))) : 1),
    });
    const steady = scriptedCollector(store, 'watchlist', { intervalMs: MIN });
    const { daemon, transitions, runs } = recordedDaemon({ config: { recovery: recoveryConfig({ runTimeout: '30s' }) }, store, instances: [hanging, steady], probes: { api: async () => {} }, clock });
    await daemon.start();
    await drive(clock, 5 * MIN, 1000);
    await daemon.stop();
    const cut = runs.find((r) => r.instance === 'trades');
    assert.equal(cut?.status, 'failed');
    assert.equal(cut?.failureClass, 'api-down');
    assert.equal(cut?.durationMs, 30_000);
    assert.deepEqual(transitions.filter((e) => e.instance === 'trades').map((e) => [e.to, (e.at - T0) / 1000]), [['degraded', 30], ['healthy', 32]]);
    // The retry 2 s after the failure, then the next 10-minute slot (06:50).
    assert.deepEqual(hanging.runs.map((r) => (r.start - T0) / 1000), [0, 32, 300]);
    assert.deepEqual(steady.runs.map((r) => (r.start - T0) / MIN), [0, 1, 2, 3, 4, 5]);
  });

  it('a run that ignores its abort is waited for before the next run starts', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const stubborn = scriptedCollector(store, 'ohlcv', { intervalMs: MIN, behaviour: (ctx, n) => (n === 1 ? ctx.clock.sleep(2 * MIN).then(() => 1) : 1) });
    const { daemon } = recordedDaemon({ config: { recovery: recoveryConfig({ runTimeout: '20s' }) }, store, instances: [stubborn], probes: { api: async () => {} }, clock });
    await daemon.start();
    await drive(clock, 3 * MIN, 1000);
    await daemon.stop();
    assert.equal(stubborn.maxActive, 1);
    assert.equal(stubborn.runs[1]?.start, T0 + 2 * MIN, 'the retry waited for the hung run to end');
  });

  it('honours the disabled flag a person sets, and runs at once when enabled', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const c = scriptedCollector(store, 'discovery', { intervalMs: MIN });
    const { daemon, transitions } = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [c], probes: { api: async () => {} }, clock });
    await daemon.start();
    await drive(clock, 30_000, 1000);
    await daemon.setDisabled('discovery', true);
    await drive(clock, 5 * MIN, 1000);
    assert.equal(c.runs.length, 1);
    assert.equal(daemon.status()[0]?.state, 'disabled');
    assert.equal((await store.read.collectorState.get('discovery'))?.disabled, true);
    await daemon.setDisabled('discovery', false);
    await settle();
    await drive(clock, 1000, 100);
    await daemon.stop();
    assert.equal(c.runs.length, 2);
    assert.deepEqual(transitions.map((e) => e.to), ['disabled', 'healthy']);
  });

  it('status() reports the design.md §8 collectors array', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const c = scriptedCollector(store, 'top-pools:solana:raydium', { intervalMs: 5 * MIN, behaviour: () => { throw new GtcError('db-locked', 'database is locked'); } });
    const { daemon } = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [c], probes: { api: async () => {} }, clock });
    await daemon.start();
    await drive(clock, 500, 100);
    const [status] = daemon.status();
    await daemon.stop();
    assert.deepEqual(status, {
      name: 'top-pools:solana:raydium', collector: 'dexes', state: 'degraded', consecutiveFailures: 1,
      lastRunAt: new Date(T0).toISOString(), lastRunStatus: 'failed', lastSuccessAt: null, nextRunAt: new Date(T0 + 2000).toISOString(),
      intervalSeconds: 300, configuredIntervalSeconds: 300, lastError: 'database is locked', running: false,
    });
    const row = await store.read.collectorState.get('top-pools:solana:raydium');
    assert.equal(row?.state, 'degraded');
    assert.equal(row?.consecutiveFailures, 1);
    assert.equal(row?.lastError, 'database is locked');
  });
});
