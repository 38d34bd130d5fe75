import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/lib/clock.ts';
import { GtcError, type FailureClass } from '../../src/lib/errors.ts';
import { drive, openSqliteStore, recordedDaemon, recoveryConfig, scriptedCollector, switchableProbe } from './harness.ts';

const T0 = Date.UTC(2025, 8, 15, 6, 45, 0);
const MIN = 60_000;

/** A collector that fails with `failureClass` while `fault.on` is true. */
function faultable(store: Parameters<typeof scriptedCollector>[0], name: string, failureClass: FailureClass, options: { intervalMs?: number; dependsOn?: 'api' | 'database' } = {}) {
  const fault = { on: true };
  const c = scriptedCollector(store, name, {
    ...options,
    behaviour: () => {
      if (fault.on) throw new GtcError(failureClass, `${failureClass} injected`);
      return 1;
    },
  });
  return { c, fault };
}

describe('supervisor in the running daemon', () => {
  it('detects the first failure at once, retries after 2 s and 4 s, suspends after 3, probes every 5 s, resumes at once', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const { c, fault } = faultable(store, 'top-pools:solana', 'db-locked', { intervalMs: 5 * MIN, dependsOn: 'database' });
    const db = switchableProbe(false);
    db.clock = clock;
    const { daemon, transitions } = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [c], probes: { api: async () => {}, database: db.probe }, clock });
    await daemon.start();
    await drive(clock, 20_000, 250);
    assert.deepEqual(c.runs.map((r) => (r.start - T0) / 1000), [0, 2, 6], 'retried after 2 s then 4 s, not at the next slot');
    const degraded = transitions[0];
    assert.equal(degraded?.to, 'degraded');
    assert.ok(degraded && degraded.at - (c.runs[0]?.end ?? 0) <= 1000, 'degraded within 1 s of the first failing run');
    assert.equal(transitions[1]?.to, 'suspended');
    assert.equal(transitions[1]?.at, T0 + 6_000);
    assert.deepEqual(db.calls.map((at) => (at - T0) / 1000), [11, 16]);

    db.ok = true;
    fault.on = false;
    await drive(clock, 5_000, 250);
    assert.deepEqual(transitions.slice(2).map((e) => [e.to, (e.at - T0) / 1000]), [['healthy', 21]]);
    assert.equal(c.runs.at(-1)?.start, T0 + 21_000, 'runs immediately after the passing probe');
    assert.equal(c.runs.at(-1)?.outcome, 'ok');
    await daemon.stop();
    const state = await store.read.collectorState.get('top-pools:solana');
    assert.equal(state?.state, 'healthy');
    assert.equal(state?.consecutiveFailures, 0);
    const runs = await store.read.runs.recent({ collector: 'top-pools:solana' });
    assert.deepEqual(runs.map((r) => [r.status, r.failureClass]).reverse(), [['failed', 'db-locked'], ['failed', 'db-locked'], ['failed', 'db-locked'], ['ok', null]]);
  });

  for (const failureClass of ['api-rate-limit', 'bad-data'] as const) {
    it(`${failureClass} never suspends: it stays degraded and backs off up to the cap`, async (t) => {
      const { store } = await openSqliteStore(t);
      const clock = new ManualClock(T0);
      const { c } = faultable(store, 'trades', failureClass, { intervalMs: 10 * MIN });
      const { daemon, transitions } = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [c], probes: { api: async () => {} }, clock });
      await daemon.start();
      await drive(clock, 4 * MIN, 1000);
      await daemon.stop();
      assert.deepEqual(transitions.map((e) => e.to), ['degraded']);
      // 0, +2, +4, +8, +16, +32, +60 (cap), +60 … seconds
      assert.deepEqual(c.runs.map((r) => (r.start - T0) / 1000).slice(0, 8), [0, 2, 6, 14, 30, 62, 122, 182]);
      assert.equal(daemon.status()[0]?.state, 'degraded');
    });
  }

  it('a bug is counted and reported; the suspended instance probes its own dependency', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const c = scriptedCollector(store, 'discovery', { intervalMs: 10 * MIN, dependsOn: 'database', behaviour: () => { throw new TypeError('cannot read properties of undefined'); } });
    const db = switchableProbe(true);
    db.clock = clock;
    const { daemon, transitions } = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [c], probes: { api: async () => {}, database: db.probe }, clock });
    await daemon.start();
    await drive(clock, 60_000, 250);
    await daemon.stop();
    assert.deepEqual(transitions.slice(0, 4).map((e) => e.to), ['degraded', 'suspended', 'healthy', 'suspended']);
    // After a resume that fails again, probes back off (10 s, 20 s …) instead of looping every 5 s.
    assert.deepEqual(db.calls.map((at) => (at - T0) / 1000), [11, 21, 41]);
    assert.equal((await store.read.runs.recent({ collector: 'discovery' }))[0]?.failureClass, 'bug');
  });

  it('a driver error from a read (a refused connection) is the database down, not a bug', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const c = scriptedCollector(store, 'discovery', { intervalMs: 10 * MIN, dependsOn: 'database', behaviour: () => { throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }); } });
    const { daemon, transitions } = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [c], probes: { api: async () => {} }, clock });
    await daemon.start();
    await drive(clock, 10_000, 250);
    await daemon.stop();
    assert.match(transitions[0]?.reason ?? '', /^db-down: /);
    assert.equal((await store.read.runs.recent({ collector: 'discovery' }))[0]?.failureClass, 'db-down');
  });

  it('an API probe spends at most one call per apiProbeInterval, counting API runs as evidence', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const down = faultable(store, 'new-pools:solana', 'api-down', { intervalMs: 5 * MIN });
    const other = faultable(store, 'new-pools:base', 'api-down', { intervalMs: 5 * MIN });
    const api = switchableProbe(false);
    api.clock = clock;
    const { daemon, transitions } = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [down.c, other.c], probes: { api: api.probe }, clock });
    await daemon.start();
    await drive(clock, 120_000, 250);
    // Both found the API down at 6 s; probes every 5 s reuse that until it is 30 s old.
    assert.deepEqual(api.calls.map((at) => (at - T0) / 1000), [36, 66, 96], 'two suspended instances probing every 5 s share one call per 30 s');
    api.ok = true;
    down.fault.on = false;
    other.fault.on = false;
    await drive(clock, 31_000, 250);
    await daemon.stop();
    const resumed = transitions.filter((e) => e.to === 'healthy').map((e) => (e.at - T0) / 1000);
    assert.deepEqual(resumed, [126, 126]);
    assert.equal(api.calls.length, 4);
  });

  it('a successful run of another API instance passes the API probe without a call', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const failing = faultable(store, 'trades', 'api-down', { intervalMs: 10 * MIN });
    const healthy = scriptedCollector(store, 'watchlist', { intervalMs: MIN });
    const api = switchableProbe(false);
    api.clock = clock;
    const { daemon, transitions } = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [failing.c, healthy], probes: { api: api.probe }, clock });
    await daemon.start();
    await drive(clock, 40_000, 250);
    // trades fails at 0 s; the watchlist's success right after is evidence the API is up, so trades
    // retries at once instead of after 2 s: failures at 0, 0 and 4 s, the last evidence for 30 s.
    assert.deepEqual(api.calls.map((at) => (at - T0) / 1000), [34], 'the failures at 4 s count as evidence for 30 s');
    failing.fault.on = false;
    await drive(clock, 25_000, 250);
    await daemon.stop();
    // The watchlist run at 60 s succeeded: trades, suspended on the API, probes at once and passes on that evidence.
    assert.deepEqual(transitions.filter((e) => e.instance === 'trades').map((e) => [e.to, (e.at - T0) / 1000]), [['degraded', 0], ['suspended', 4], ['healthy', 60]]);
    assert.deepEqual(api.calls.map((at) => (at - T0) / 1000), [34]);
  });

  it('a failure of one instance does not delay another', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const broken = faultable(store, 'ohlcv', 'db-down', { intervalMs: MIN, dependsOn: 'database' });
    const healthy = scriptedCollector(store, 'watchlist', { intervalMs: MIN });
    const { daemon } = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [broken.c, healthy], probes: { api: async () => {}, database: async () => { throw new Error('down'); } }, clock });
    await daemon.start();
    await drive(clock, 10 * MIN, 1000);
    await daemon.stop();
    assert.deepEqual(healthy.runs.map((r) => (r.start - T0) / MIN), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(daemon.status().find((s) => s.name === 'ohlcv')?.state, 'suspended');
  });

  it('adaptive interval: lock contention stretches the interval, within configured × maxIntervalFactor', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    let n = 0;
    const c = scriptedCollector(store, 'watchlist', {
      intervalMs: MIN,
      behaviour: () => {
        n += 1;
        if (n % 2 === 0) throw new GtcError('api-rate-limit', '429 Too Many Requests');
        return 1;
      },
    });
    const { daemon } = recordedDaemon({ config: { recovery: recoveryConfig({ maxIntervalFactor: 2 }) }, store, instances: [c], probes: { api: async () => {} }, clock });
    const changes: number[] = [];
    daemon.events.onIntervalChanged((e) => changes.push(e.toMs));
    await daemon.start();
    await drive(clock, 60 * MIN, 1000);
    await daemon.stop();
    assert.deepEqual(changes, [90_000, 120_000]);
    assert.equal(daemon.status()[0]?.intervalSeconds, 120);
    assert.equal((await store.read.collectorState.get('watchlist'))?.intervalS, 120);
  });
  it('the database seen up by another instance: an instance degraded on it runs then, not after its retry backoff', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    // Never suspended (threshold 10); after its failed first run it would retry only at 60 s.
    const a = faultable(store, 'new-pools:solana', 'db-down', { intervalMs: 5 * MIN, dependsOn: 'database' });
    const b = scriptedCollector(store, 'top-pools:solana', { intervalMs: 10_000, dependsOn: 'database' });
    const recovery = recoveryConfig({ failureThreshold: 10, retryBackoff: ['60s', '60s'] });
    const { daemon, transitions } = recordedDaemon({ config: { recovery }, store, instances: [a.c, b], probes: { api: async () => {} }, clock });
    await daemon.start();
    await drive(clock, 5_000, 250);
    a.fault.on = false;
    await drive(clock, 10_000, 250);
    await daemon.stop();
    // b's runs succeeded (they wrote to the database): a ran again at once each time — at 0 s (b's
    // success came in the same instant as a's failure: still down for a) and at 10 s, not at 60 s.
    assert.deepEqual(a.c.runs.map((r) => [(r.start - T0) / 1000, r.outcome]), [[0, 'failed'], [0, 'failed'], [10, 'ok']]);
    assert.deepEqual(transitions.filter((e) => e.instance === 'new-pools:solana').map((e) => [e.to, (e.at - T0) / 1000]), [['degraded', 0], ['healthy', 10]]);
  });

  it('the database seen up by one probe: every instance suspended on it resumes then', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const a = faultable(store, 'new-pools:solana', 'db-down', { intervalMs: 5 * MIN, dependsOn: 'database' });
    // b's run takes 3 s to fail, so its own probes come 3 s after a's.
    const bFault = { on: true };
    const b = scriptedCollector(store, 'top-pools:solana', {
      intervalMs: 5 * MIN,
      dependsOn: 'database',
      behaviour: async (ctx) => {
        if (!bFault.on) return 1;
        await ctx.clock.sleep(3_000, ctx.signal);
        throw new GtcError('db-down', 'db-down injected');
      },
    });
    const db = switchableProbe(false);
    db.clock = clock;
    const recovery = recoveryConfig({ failureThreshold: 1, probeInterval: '10s' });
    const { daemon, transitions } = recordedDaemon({ config: { recovery }, store, instances: [a.c, b], probes: { api: async () => {}, database: db.probe }, clock });
    await daemon.start();
    await drive(clock, 15_000, 250);
    a.fault.on = false;
    bFault.on = false;
    db.ok = true;
    await drive(clock, 15_000, 250);
    await daemon.stop();
    // a's probes at 10, 20 s; b's at 13, 23 s. a's at 20 s passes: b resumes then too, not at 23 s.
    const resumed = transitions.filter((e) => e.to === 'healthy').map((e) => [e.instance, (e.at - T0) / 1000]).sort();
    assert.deepEqual(resumed, [['new-pools:solana', 20], ['top-pools:solana', 20]]);
  });
});
