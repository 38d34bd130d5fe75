/**
 * What a process takes from the rows it shares with other processes: collector_state gives it a
 * person's `disabled`, the schedule and the adaptive interval, but not another process's health;
 * slot_claims older than the retention are pruned by whichever process gets there.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/lib/clock.ts';
import { GtcError } from '../../src/lib/errors.ts';
import { CLAIM_RETENTION_MS } from '../../src/runtime/claim-pruning.ts';
import { StoreRecords } from '../../src/runtime/store-records.ts';
import type { CollectorStateRecord } from '../../src/store/index.ts';
import { drive, openSqliteStore, recordedDaemon, recoveryConfig, scriptedCollector } from './harness.ts';

const MIN = 60_000;
const T0 = Date.UTC(2025, 8, 15, 7, 0, 0);

/** A collector_state row as another process left it: about to be suspended (threshold 3). */
function leftByAnotherProcess(collector: string, extra: Partial<CollectorStateRecord> = {}): CollectorStateRecord {
  return {
    collector, state: 'degraded', consecutiveFailures: 2, intervalS: 90, configuredIntervalS: 60, nextRunAt: null, lastRunAt: T0 / 1000 - 30,
    lastSuccessAt: T0 / 1000 - 600, lastError: 'api-down: their failure', disabled: false, updatedAt: T0 / 1000 - 30, ...extra,
  };
}

describe('state shared by processes', () => {
  it('a process starts from its own fresh health, keeping the disabled flag, the adaptive interval and the last success', async (t) => {
    const { store } = await openSqliteStore(t);
    await store.write((tx) => tx.collectorState.upsert([leftByAnotherProcess('trades'), leftByAnotherProcess('dexes', { state: 'suspended', consecutiveFailures: 7 })]));
    await store.write((tx) => tx.collectorState.setDisabled('dexes', true, T0 / 1000 - 20));
    const clock = new ManualClock(T0);
    const trades = scriptedCollector(store, 'trades', { intervalMs: MIN, behaviour: (_ctx, n) => { if (n === 1) throw new GtcError('api-down', 'ours'); return 1; } });
    const dexes = scriptedCollector(store, 'dexes', { intervalMs: MIN });
    const { daemon, transitions } = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [trades, dexes], probes: { api: async () => {} }, clock });
    await daemon.start();
    await drive(clock, 500, 100);
    const [first] = daemon.status();
    assert.equal(first?.state, 'degraded', 'its first failure degrades it; the other process\'s two do not count');
    assert.equal(first?.consecutiveFailures, 1);
    assert.equal(first?.lastError, 'ours');
    assert.equal(first?.intervalSeconds, 90, 'the adaptive interval is kept');
    assert.equal(first?.lastSuccessAt, new Date(T0 - 600_000).toISOString());
    await drive(clock, 3000, 100);
    await daemon.stop();
    assert.deepEqual(transitions.filter((e) => e.instance === 'trades').map((e) => `${e.from}→${e.to}`), ['healthy→degraded', 'degraded→healthy']);
    assert.equal(daemon.status()[1]?.state, 'disabled', 'a person\'s disabled flag survives');
    assert.equal(dexes.runs.length, 0);
  });

  it('a slot whose run failed in one process is run by another at once, not left to the failing one', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    // Here the API is down (a network problem of this process, or it has not seen the API back yet).
    const failing = scriptedCollector(store, 'watchlist', { intervalMs: 5 * MIN, behaviour: () => { throw new GtcError('api-down', 'connect ECONNREFUSED'); } });
    const working = scriptedCollector(store, 'watchlist', { intervalMs: 5 * MIN });
    const here = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [failing], probes: { api: async () => { throw new GtcError('api-down', 'down'); } }, clock, owner: 'here:1:aaaaaa' });
    const there = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [working], probes: { api: async () => {} }, clock, owner: 'there:2:bbbbbb' });
    await here.daemon.start();
    await drive(clock, 500, 100);
    assert.equal(failing.runs.length, 1);
    // The other process starts on the shared schedule: the slot's retry, 2 s after the failure.
    await there.daemon.start();
    await drive(clock, 2500, 100);
    await here.daemon.stop();
    await there.daemon.stop();
    const runs = await store.db.selectFrom('collection_runs').select(['instance_id', 'slot_start', 'status']).orderBy('id').execute();
    const slotRuns = runs.filter((r) => Number(r.slot_start) * 1000 === T0).map((r) => `${r.instance_id}:${r.status}`);
    assert.deepEqual(slotRuns.filter((r) => r.endsWith(':ok')), ['there:2:bbbbbb:ok'], `the other process ran the slot (runs: ${slotRuns.join(', ')})`);
    assert.equal(slotRuns[0], 'here:1:aaaaaa:failed');
  });

  it('a slot released by a failed run is taken over within a probe interval by a process that found it claimed, not at the claim\'s expiry', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    // Here the slot's run hangs 20 s, then fails; the retry (60 s later) is past the next slot, so
    // this process moves on to that one and leaves the failed slot to whoever takes it.
    const failing = scriptedCollector(store, 'trades', {
      intervalMs: MIN,
      behaviour: async (ctx, n) => {
        if (n > 1) return 1;
        await ctx.clock.sleep(20_000);
        throw new GtcError('api-down', 'request timed out');
      },
    });
    const working = scriptedCollector(store, 'trades', { intervalMs: MIN });
    const here = recordedDaemon({ config: { recovery: recoveryConfig({ retryBackoff: ['60s', '60s'] }) }, store, instances: [failing], probes: { api: async () => {} }, clock, owner: 'here:1:aaaaaa' });
    const there = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [working], probes: { api: async () => {} }, clock, owner: 'there:2:bbbbbb' });
    await here.daemon.start();
    await drive(clock, 1000, 100);
    // The other process finds slot T0 claimed by a run in progress (its claim lasts 2 minutes) and watches it.
    await there.daemon.start();
    await drive(clock, 29_000, 100);
    const slotT0 = await store.db.selectFrom('collection_runs').select(['instance_id', 'status', 'started_at']).where('slot_start', '=', T0 / 1000).orderBy('id').execute();
    await here.daemon.stop();
    await there.daemon.stop();
    assert.deepEqual(slotT0.map((r) => `${r.instance_id}:${r.status}`), ['here:1:aaaaaa:failed', 'there:2:bbbbbb:ok'], 'the failed slot was run again before its claim would have expired');
    const takenAt = Number(slotT0[1]?.started_at) * 1000 - T0;
    assert.ok(takenAt > 20_000 && takenAt <= 25_000, `taken over ${takenAt} ms after the slot began: within the 5 s probe interval of the failure at 20 s`);
  });

  it('a slot left unfinished by a dead process is taken over only while the instance is healthy', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    // A process died holding slot T0; its claim expires at 10 s.
    await store.write((tx) => tx.slotClaims.claim({ collector: 'watchlist', slotStart: T0 / 1000, instanceId: 'dead:9:ffffff', now: T0 / 1000, expiresAt: T0 / 1000 + 10 }));
    const fault = { on: true };
    const c = scriptedCollector(store, 'watchlist', { intervalMs: 5000, behaviour: () => { if (fault.on) throw new GtcError('api-down', 'connect ECONNREFUSED'); return 1; } });
    const recovery = recoveryConfig({ failureThreshold: 10, retryBackoff: ['60s', '60s'] });
    const { daemon } = recordedDaemon({ config: { recovery }, store, instances: [c], probes: { api: async () => {} }, clock, owner: 'here:1:aaaaaa' });
    await daemon.start();
    // Slot T0 is claimed (watched); the run of slot 5 s fails: degraded, retried at 65 s.
    await drive(clock, 30_000, 500);
    const slotT0 = async (): Promise<string[]> => (await store.db.selectFrom('collection_runs').select(['instance_id', 'status']).where('slot_start', '=', T0 / 1000).execute()).map((r) => `${r.instance_id}:${r.status}`);
    assert.equal(daemon.status()[0]?.state, 'degraded');
    assert.deepEqual(await slotT0(), [], 'no takeover while degraded: it would fail the slot too');
    fault.on = false;
    await drive(clock, 40_000, 500);
    await daemon.stop();
    assert.deepEqual(await slotT0(), ['here:1:aaaaaa:ok'], 'taken over once healthy again');
  });

  it('a slot is claimed again by its own process only while unfinished: a failed run\'s slot yes, a run that succeeded never', async (t) => {
    const { store } = await openSqliteStore(t);
    const records = new StoreRecords(store, 'here:1:aaaaaa');
    const state = { name: 'ohlcv', state: 'healthy' as const, consecutiveFailures: 0, intervalMs: 300_000, configuredIntervalMs: 300_000, nextRunAt: null, lastRunAt: null, lastSuccessAt: null, lastError: null };
    const finish = (runId: number, status: 'ok' | 'failed', claim: 'finish' | 'release') => records.finishRun({ runId, name: 'ohlcv', slot: T0, finishedAt: T0 + 1000, status, rowsWritten: 0, rejected: 0, apiCalls: 1, error: null, failureClass: null, claim }, state);
    const first = await records.claimSlot('ohlcv', T0, T0, T0 + 120_000);
    assert.ok(first.won);
    await finish(first.runId, 'failed', 'release');
    const retry = await records.claimSlot('ohlcv', T0, T0 + 2000, T0 + 122_000);
    assert.ok(retry.won, 'the failed slot is retried');
    await finish(retry.runId, 'ok', 'finish');
    const again = await records.claimSlot('ohlcv', T0, T0 + 60_000, T0 + 180_000);
    assert.deepEqual(again, { won: false, holder: 'here:1:aaaaaa', retakeAt: T0 + 123_000, finishedAt: T0 + 1000 }, 'a slot that ran is never run twice, by its own process either');
  });

  it('a process that finds a slot completed by another takes that run\'s end as the instance\'s last success, its health untouched', async (t) => {
    const { store } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    // Their run of slot T0 takes 30 s; this process starts during it.
    const theirs = scriptedCollector(store, 'watchlist', { intervalMs: 5 * MIN, behaviour: async (ctx) => { await ctx.clock.sleep(30_000); return 1; } });
    const ours = scriptedCollector(store, 'watchlist', { intervalMs: 5 * MIN });
    const there = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [theirs], probes: { api: async () => {} }, clock, owner: 'there:2:bbbbbb' });
    const here = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [ours], probes: { api: async () => {} }, clock, owner: 'here:1:aaaaaa' });
    const served: { instance: string; slot: number; at: number }[] = [];
    here.daemon.events.onSlotServed((e) => served.push(e));
    await there.daemon.start();
    await drive(clock, 1000, 100);
    // This process finds slot T0 claimed, watches it, and finds it completed once their run ends:
    // without that news its data would look as old as its start (a data-stale alert three
    // intervals on, and on, while the other processes win every claim).
    await here.daemon.start();
    await drive(clock, 40_000, 100);
    assert.equal(theirs.runs.length, 1);
    const finishedAt = Number((await store.db.selectFrom('slot_claims').select('finished_at').where('slot_start', '=', T0 / 1000).executeTakeFirstOrThrow()).finished_at) * 1000;
    const [status] = here.daemon.status();
    await here.daemon.stop();
    await there.daemon.stop();
    assert.equal(ours.runs.length, 0, 'the slot ran once, in the other process');
    assert.equal(status?.lastSuccessAt, new Date(finishedAt).toISOString());
    assert.equal(status?.state, 'healthy');
    assert.equal(status?.consecutiveFailures, 0);
    assert.deepEqual(served, [{ instance: 'watchlist', slot: T0, at: finishedAt }]);
    assert.deepEqual(here.runs, [], 'no run of this process is reported (metrics count runs per process)');
  });

  it('slot claims older than the retention are pruned a minute after start; each collector\'s newest is kept', async (t) => {
    const { store } = await openSqliteStore(t);
    const old = T0 - CLAIM_RETENTION_MS - 10 * MIN;
    await store.write(async (tx) => {
      for (let i = 0; i < 1500; i++) await tx.slotClaims.claim({ collector: 'ohlcv', slotStart: (old - i * MIN) / 1000, instanceId: 'gone', now: 0, expiresAt: 0 });
      await tx.slotClaims.claim({ collector: 'ohlcv', slotStart: (T0 - MIN) / 1000, instanceId: 'gone', now: 0, expiresAt: 0 });
      await tx.slotClaims.claim({ collector: 'dexes', slotStart: old / 1000, instanceId: 'gone', now: 0, expiresAt: 0 });
    });
    const clock = new ManualClock(T0);
    const c = scriptedCollector(store, 'watchlist', { intervalMs: 10 * MIN });
    const { daemon } = recordedDaemon({ config: { recovery: recoveryConfig() }, store, instances: [c], probes: { api: async () => {} }, clock });
    await daemon.start();
    await drive(clock, 59_000, 1000);
    assert.equal((await store.read.stats.tableCounts()).slot_claims, 1503, 'not during start-up');
    await drive(clock, 2000, 1000);
    await daemon.stop();
    const left = await store.db.selectFrom('slot_claims').select(['collector', 'slot_start']).orderBy('collector').orderBy('slot_start').execute();
    assert.deepEqual(left.map((r) => `${r.collector}@${Number(r.slot_start) * 1000 - T0}`), [`dexes@${old - T0}`, `ohlcv@${-MIN}`, 'watchlist@0']);
  });
});
