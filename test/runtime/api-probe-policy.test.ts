/**
 * The API probe policy (ManualClock): while the API is down or refusing with 429s and the limiter
 * has budget to spare, the probe calls every apiProbeWhileDown (hung calls do not hold the next
 * back; the limiter paces calls into a 429 storm) and suspended instances resume together on the
 * first passing call (degraded ones end their retry backoff); with a busy limiter, at most one call
 * per apiProbeInterval; a request failing inside a run starts the look-out for other processes'
 * news but no call; a run that made no API call is no evidence that the API is up.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiUnavailableError, type ApiNews } from '../../src/api/index.ts';
import type { CollectorInstance } from '../../src/collectors/types.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { GtcError, type FailureClass } from '../../src/lib/errors.ts';
import { StoreRecords } from '../../src/runtime/store-records.ts';
import { drive, openSqliteStore, recordedDaemon, recoveryConfig, scriptedCollector, switchableProbe } from './harness.ts';

const T0 = Date.UTC(2025, 8, 15, 6, 45, 0);
const MIN = 60_000;
const since = (at: number): number => (at - T0) / 1000;

/** A collector that fails with `failureClass` (after `failAfterMs`) while `fault.on` is true. */
function faultable(store: Parameters<typeof scriptedCollector>[0], name: string, failureClass: FailureClass, failAfterMs = 0) {
  const fault = { on: true };
  const c = scriptedCollector(store, name, {
    intervalMs: 5 * MIN,
    behaviour: async (ctx) => {
      if (!fault.on) return 1;
      await ctx.clock.sleep(failAfterMs, ctx.signal);
      throw new GtcError(failureClass, `${failureClass} injected`);
    },
  });
  return { c, fault };
}

/** An API instance whose runs succeed without calling the API (nothing was due). */
function idleApiInstance(name: string): CollectorInstance {
  return { name, collector: 'trades', intervalMs: 10_000, dependsOn: 'api', run: async () => ({ rowsWritten: 0, rejected: 0, rejections: [], pages: 0, apiCalls: 0 }) };
}

describe('API probe policy', () => {
  it('API down, limiter idle: one call per apiProbeWhileDown, paced by the probe itself; the first passing call resumes every suspended instance', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const a = faultable(store, 'new-pools:solana', 'api-down');
    // b's runs take 2.5 s to fail: its failures are evidence out of step with a's probes.
    const b = faultable(store, 'top-pools:solana', 'api-down', 2500);
    const api = switchableProbe(false);
    api.clock = clock;
    const { daemon, transitions } = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [a.c, b.c], probes: { api: api.probe, apiHasSpareBudget: () => true }, clock });
    await daemon.start();
    await drive(clock, 30_000, 250);
    // From a's first failed run (0 s) a call every 2 s (apiProbeWhileDown), whatever the instances'
    // own 5 s probe cadence; failed runs are evidence too (b's at 2.5 and 7 s answer for 2 s).
    assert.deepEqual(api.calls.map(since), [2, 4.5, 9, 11, 13, 15.5, 17.5, 19.5, 21.5, 23.5, 25.5, 27.5, 29.5]);
    a.fault.on = false;
    b.fault.on = false;
    api.ok = true;
    await drive(clock, 10_000, 250);
    await daemon.stop();
    // The call at 31.5 s passed: both resume then, not at their own next probe; no call after it.
    assert.deepEqual(api.calls.map(since).slice(-2), [29.5, 31.5]);
    assert.deepEqual(transitions.filter((e) => e.to === 'healthy').map((e) => [e.instance, since(e.at)]).sort(), [['new-pools:solana', 31.5], ['top-pools:solana', 31.5]]);
  });

  it('a degraded instance waiting out a long retry backoff runs as soon as the API probe passes', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const a = faultable(store, 'new-pools:solana', 'api-down');
    const api = switchableProbe(false);
    api.clock = clock;
    // Never suspended (threshold 10); after its failed first run it would retry only at 60 s.
    const recovery = recoveryConfig({ failureThreshold: 10, retryBackoff: ['60s', '60s'] });
    const { daemon, transitions } = recordedDaemon({ config: { recovery }, store, instances: [a.c], probes: { api: api.probe, apiHasSpareBudget: () => true }, clock });
    await daemon.start();
    await drive(clock, 10_000, 250);
    a.fault.on = false;
    api.ok = true;
    await drive(clock, 10_000, 250);
    await daemon.stop();
    // Probe calls at 2, 4 … 10 s fail; the one at 12 s passes and the instance runs then, not at 60 s.
    assert.deepEqual(api.calls.map(since), [2, 4, 6, 8, 10, 12]);
    assert.deepEqual(transitions.map((e) => [e.to, since(e.at)]), [['degraded', 0], ['healthy', 12]]);
  });

  it('a hung probe call does not hold the next one back: a new call every apiProbeWhileDown, at most two on the wire', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const a = faultable(store, 'new-pools:solana', 'api-down');
    const calls: number[] = [];
    let onWire = 0;
    let maxOnWire = 0;
    let hang = true;
    // A hang: the call never answers unless aborted (the signal is the probe's).
    const probe = (signal: AbortSignal): Promise<void> => {
      calls.push(clock.now());
      if (!hang) return Promise.resolve();
      onWire += 1;
      maxOnWire = Math.max(maxOnWire, onWire);
      return new Promise((_, reject) => signal.addEventListener('abort', () => {
        onWire -= 1;
        reject(new GtcError('api-down', 'hung call cut'));
      }, { once: true }));
    };
    const { daemon, transitions } = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [a.c], probes: { api: probe, apiHasSpareBudget: () => true }, clock });
    await daemon.start();
    await drive(clock, 20_000, 250);
    const whileHung = calls.length;
    assert.ok(whileHung >= 4, `calls kept going out while earlier ones hung (${calls.map(since).join(', ')})`);
    assert.equal(maxOnWire, 2);
    hang = false;
    a.fault.on = false;
    await drive(clock, 5_000, 250);
    await daemon.stop();
    const resumed = transitions.find((e) => e.to === 'healthy');
    assert.ok(resumed, 'resumed after the hang ended');
    assert.equal(resumed.at, calls[whileHung], 'resumed by the first call after the hang ended');
  });

  it('a busy limiter keeps the spacing of apiProbeInterval; a 429 storm does not (the limiter paces those calls)', async (t) => {
    // Runs fail (API down) at 0, 2 and 6 s, then the instance is suspended and probes.
    const expected = {
      // No spare budget (a Retry-After, the day's budget ahead of pace): the run failure of 6 s answers until 36 s; then one call per 30 s.
      'api-down': [36, 66, 96],
      // Spare budget, each probe call answered 429: a call every apiProbeWhileDown — in a daemon each
      // waits at the limiter for its turn at the rate the 429s lowered, so the storm's end is seen at that pace.
      'api-rate-limit': Array.from({ length: 50 }, (_, i) => 2 * (i + 1)),
    };
    for (const [failureClass, spare] of [['api-down', false], ['api-rate-limit', true]] as const) {
      const { store } = await openSqliteStore(t, `${failureClass}.sqlite`);
      const clock = new ManualClock(T0);
      const a = faultable(store, 'new-pools:solana', 'api-down');
      const calls: number[] = [];
      const probe = async (): Promise<void> => {
        calls.push(since(clock.now()));
        throw new GtcError(failureClass, `${failureClass} probe`);
      };
      const { daemon } = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [a.c], probes: { api: probe, apiHasSpareBudget: () => spare }, clock });
      await daemon.start();
      await drive(clock, 100_000, 250);
      await daemon.stop();
      assert.deepEqual(calls, expected[failureClass], `${failureClass}, spare budget ${spare}`);
    }
  });

  it('another process sharing the database fetched data after the outage: the suspended instance resumes without a call of its own', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const a = faultable(store, 'new-pools:solana', 'api-down');
    const calls: number[] = [];
    const probe = async (): Promise<void> => {
      calls.push(since(clock.now()));
      throw new GtcError('api-down', 'still down here');
    };
    // No budget to spare: the other process, catching up, uses the minute's budget.
    let toldUp = 0;
    const { daemon, transitions } = recordedDaemon({
      config: { recovery: recoveryConfig() }, store, instances: [a.c], clock, owner: 'here:1:aaaaaa',
      probes: { api: probe, apiHasSpareBudget: () => false, onApiUp: () => void (toldUp += 1), apiNewsKey: 'host-1' },
    });
    await daemon.start();
    await drive(clock, 20_000, 250);
    assert.equal(transitions.at(-1)?.to, 'suspended');
    a.fault.on = false;
    // The other process's run of the same collector starts at 20 s and commits its first page.
    await store.write(async (tx) => tx.runs.addCounts(await tx.runs.start({ collector: 'new-pools:solana', instanceId: 'there:2:bbbbbb', startedAt: (T0 + 20_000) / 1000 }), 12));
    await drive(clock, 5_000, 250);
    await daemon.stop();
    const resumed = transitions.find((e) => e.to === 'healthy');
    assert.ok(resumed, 'resumed on the other process\'s news');
    assert.ok(since(resumed.at) <= 22.5, `resumed within a pacing step (apiProbeWhileDown), at ${since(resumed.at)} s`);
    assert.ok(calls.every((at) => at < 20), `no probe call of its own after the news (calls at ${calls.join(', ')} s)`);
    assert.equal(toldUp, 1, 'the API client was told (its breaker closes)');
    assert.ok(a.c.runs.some((r) => r.outcome === 'ok'), 'and its run succeeded');
  });

  it('the first process to see the API back marks it in the database; another, still waiting, resumes on the mark within a pacing step', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const api = switchableProbe(false);
    api.clock = clock;
    const first = faultable(store, 'new-pools:solana', 'api-down');
    const second = faultable(store, 'top-pools:solana', 'api-down');
    const here = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [first.c], probes: { api: api.probe, apiHasSpareBudget: () => true, apiNewsKey: 'host-1' }, clock, owner: 'here:1:aaaaaa' });
    // The other process's probe calls find no spare budget: only the news can bring it back.
    const there = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [second.c], probes: { api: async () => { throw new GtcError('api-down', 'no budget'); }, apiHasSpareBudget: () => false, apiNewsKey: 'host-1' }, clock, owner: 'there:2:bbbbbb' });
    await here.daemon.start();
    await there.daemon.start();
    await drive(clock, 20_000, 250);
    first.fault.on = false;
    second.fault.on = false;
    api.ok = true;
    await drive(clock, 6_000, 250);
    await here.daemon.stop();
    await there.daemon.stop();
    const upHere = here.transitions.find((e) => e.to === 'healthy');
    const upThere = there.transitions.find((e) => e.to === 'healthy');
    assert.ok(upHere && upThere, `both resumed: here ${JSON.stringify(here.transitions.map((e) => [e.to, since(e.at)]))}, there ${JSON.stringify(there.transitions.map((e) => [e.to, since(e.at)]))}`);
    assert.equal((await store.read.checkpoints.get('api-news', 'host-1'))?.value, String(upHere.at), 'the mark: when it was seen up');
    assert.ok(upThere.at - upHere.at <= 2_250, `the other resumed ${(upThere.at - upHere.at) / 1000} s later (a pacing step: 2 s)`);
  });

  it('a request that finds the API down while its run goes on retrying: no probe call (the retries are its calls), but other processes\' news is looked at, and the API client hears of the return', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    // A run in flight throughout (its requests retrying): it neither fails nor succeeds.
    const inFlight = scriptedCollector(store, 'new-pools:solana', { intervalMs: 5 * MIN, behaviour: async (ctx) => (await ctx.clock.sleep(10 * MIN, ctx.signal), 1) });
    const api = switchableProbe(false);
    api.clock = clock;
    let tell: ((news: ApiNews) => void) | undefined;
    const toldUp: number[] = [];
    const { daemon } = recordedDaemon({
      config: { recovery: recoveryConfig() }, store, instances: [inFlight], clock, owner: 'here:1:aaaaaa',
      probes: { api: api.probe, apiHasSpareBudget: () => true, apiNewsKey: 'host-1', onApiUp: (at) => void toldUp.push(since(at)), watchApi: (listener) => void (tell = listener) },
    });
    await daemon.start();
    await drive(clock, 1_000, 250);
    const down = (): void => tell?.({ up: false, at: clock.now(), error: new ApiUnavailableError('GET /networks answered 503.', 'server-error') });
    down();
    await drive(clock, 7_000, 250);
    assert.deepEqual(toldUp, [], 'nothing seen up yet');
    // Another process sharing the database sees the API back at 8 s.
    await new StoreRecords(store, 'there:2:bbbbbb').markApiUp('host-1', clock.now());
    await drive(clock, 1_000, 250);
    assert.deepEqual(toldUp, [8], 'read within a look-out step (500 ms): the client is told (it cuts short its hung requests and retry waits)');
    // Down again at 9 s; a request of the run answered at 9.5 s: up.
    down();
    await drive(clock, 500, 250);
    tell?.({ up: true, at: clock.now() });
    await drive(clock, 5_000, 250);
    await daemon.stop();
    assert.deepEqual(toldUp, [8, 9.5]);
    assert.deepEqual(api.calls, [], 'no probe call: no run failed');
  });

  it('a run refused by this process\'s own breaker is no news that the API is down', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const refused = scriptedCollector(store, 'new-pools:solana', {
      intervalMs: 5 * MIN,
      behaviour: () => { throw new GtcError('api-down', 'The GeckoTerminal API circuit breaker is open after repeated failures.', { refusedLocally: true }); },
    });
    const calls: number[] = [];
    const probe = async (): Promise<void> => {
      calls.push(since(clock.now()));
      throw new GtcError('api-down', 'still down');
    };
    const { daemon } = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [refused], probes: { api: probe, apiHasSpareBudget: () => true }, clock });
    await daemon.start();
    await drive(clock, 15_000, 250);
    await daemon.stop();
    // Failed at 0, 2 and 6 s: suspended, its own probe at 11 s is the first call, the pacing after
    // it (news of "down" from the runs would have started the pacing at 2 s).
    assert.deepEqual(calls, [11, 13, 15]);
  });

  it('news that the API is up wakes an instance whose later failure was only its own breaker refusing', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const calls = { n: 0 };
    const c = scriptedCollector(store, 'new-pools:solana', {
      intervalMs: 5 * MIN,
      behaviour: () => {
        calls.n += 1;
        if (calls.n === 1) throw new GtcError('api-down', 'GET /networks answered 503.');
        if (calls.n === 2) throw new GtcError('api-down', 'The GeckoTerminal API circuit breaker is open after repeated failures.', { refusedLocally: true });
        return 1;
      },
    });
    const recovery = recoveryConfig({ failureThreshold: 10, retryBackoff: ['20s', '60s'] });
    const { daemon } = recordedDaemon({ config: { recovery }, store, instances: [c], probes: { api: async () => { throw new GtcError('api-down', 'no budget'); }, apiHasSpareBudget: () => false, apiNewsKey: 'host-1' }, clock, owner: 'here:1:aaaaaa' });
    await daemon.start();
    // Failed for real at 0 s, refused by its own breaker at 20 s (next retry at 60 s).
    await drive(clock, 21_000, 250);
    assert.equal(c.runs.length, 2);
    // Another process saw the API back at 19 s, before that refusal.
    await new StoreRecords(store, 'there:2:bbbbbb').markApiUp('host-1', T0 + 19_000);
    await drive(clock, 2_000, 250);
    await daemon.stop();
    assert.equal(c.runs.length, 3, 'woken by the news, not left to its 60 s retry');
    assert.equal(c.runs[2]?.outcome, 'ok');
  });

  it('a run failing on a request sent before the API was seen up is old news: no new call, and it retries at once', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const a = faultable(store, 'new-pools:solana', 'api-down');
    // b's first run hangs on a request sent at 0 s that times out at 5 s, after the API is back.
    const b = scriptedCollector(store, 'top-pools:solana', {
      intervalMs: 5 * MIN,
      behaviour: async (ctx, n) => {
        if (n > 1) return 1;
        const sentAt = ctx.clock.now();
        await ctx.clock.sleep(5_000, ctx.signal);
        throw new GtcError('api-down', 'GET /networks/solana/pools got no complete response within 5000 ms.', { seenAt: sentAt });
      },
    });
    const api = switchableProbe(false);
    api.clock = clock;
    const { daemon } = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [a.c, b], probes: { api: api.probe, apiHasSpareBudget: () => true }, clock });
    await daemon.start();
    await drive(clock, 3_000, 250);
    a.fault.on = false;
    api.ok = true;
    await drive(clock, 7_000, 250);
    await daemon.stop();
    // Down at 2 s, up at 4 s; b's failure at 5 s is older than that: no call after 4 s (the old
    // news would have restarted the pacing: a call at 7 s), and b ran again at 5 s, not after its 2 s backoff.
    assert.deepEqual(api.calls.map(since), [2, 4]);
    assert.deepEqual(b.runs.map((r) => [since(r.start), r.outcome]), [[0, 'failed'], [5, 'ok']]);
  });

  it('a run that made no API call does not pass the API probe', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const down = faultable(store, 'watchlist', 'api-down');
    const api = switchableProbe(false);
    api.clock = clock;
    const { daemon, transitions } = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [down.c, idleApiInstance('trades')], probes: { api: api.probe }, clock });
    await daemon.start();
    await drive(clock, 60_000, 250);
    await daemon.stop();
    // trades "succeeds" every 10 s without calling the API: watchlist stays suspended, probing on real calls.
    assert.deepEqual(transitions.filter((e) => e.instance === 'watchlist').map((e) => e.to), ['degraded', 'suspended']);
    assert.deepEqual(api.calls.map(since), [36]);
  });
});
