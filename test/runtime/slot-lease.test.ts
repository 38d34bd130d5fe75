/**
 * The slot claim is a lease renewed while the run lasts. Two daemons on one SQLite file (two
 * stores: two processes' connections) and one manual clock:
 * - a run keeps its claim while its own process's write queue is held by a write retrying
 *   under a lock for longer than the claim timeout, so the other process never runs the slot;
 * - a run whose claim was taken over anyway stops at its next renewal, or, if it ends first,
 *   is recorded as abandoned: never two `ok` runs of one slot. Neither counts as a failure.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import type { CollectorInstance } from '../../src/collectors/types.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { drive, openSqliteStore, recordedDaemon, recoveryConfig, scriptedCollector } from './harness.ts';

const MIN = 60_000;
const T0 = Date.UTC(2025, 8, 15, 7, 0, 0); // on the 10-minute slot grid

async function okRunsOf(store: Store, collector: string): Promise<{ instance_id: string; slot_start: number }[]> {
  return store.db.selectFrom('collection_runs').select(['instance_id', 'slot_start']).where('collector', '=', collector).where('status', '=', 'ok').execute() as Promise<{ instance_id: string; slot_start: number }[]>;
}

/** A collector whose one page write fails as SQLITE_BUSY until `busyUntil`: it holds its process's write queue that long. */
function lockedWriter(store: Store, clock: ManualClock, busyUntil: number): CollectorInstance & { attempts: number } {
  const instance = {
    name: 'trades', collector: 'trades' as const, intervalMs: 10 * MIN, dependsOn: 'database' as const, attempts: 0,
    async run(ctx: { runId: number }) {
      await store.write(async (tx) => {
        instance.attempts += 1;
        if (clock.now() < busyUntil) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
        await tx.runs.addCounts(ctx.runId, 1);
      }, { label: 'trades page' });
      return { rowsWritten: 1, rejected: 0, rejections: [], pages: 1, apiCalls: 0 };
    },
  };
  return instance;
}

/** Hands the claim of `slot` to another process, as a takeover after expiry would. */
function takeClaimOver(path: string, collector: string, slot: number): void {
  const db = new BetterSqlite3(path);
  try {
    db.prepare("update slot_claims set instance_id = 'another-host:1:abcdef' where collector = ? and slot_start = ?").run(collector, slot / 1000);
  } finally {
    db.close();
  }
}

describe('slot claim lease', () => {
  it('a 5-minute run keeps its 2-minute claim while its process\'s queue is held 4 minutes by a write retrying under a lock', async (t) => {
    const { store: storeB, path } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const storeA = await openStore({ url: `sqlite:${path}`, clock, maxRetryWaitMs: 10 * MIN, retryMaxDelayMs: 2000, breakerThreshold: 1000, checkpointEveryMs: 0 });
    t.after(() => storeA.close());
    const recovery = recoveryConfig({ claimTimeout: '2m' });

    const slowA = scriptedCollector(storeA, 'ohlcv', { intervalMs: 10 * MIN, dependsOn: 'database', behaviour: (ctx) => ctx.clock.sleep(5 * MIN, ctx.signal).then(() => 1) });
    const writer = lockedWriter(storeA, clock, T0 + 4 * MIN);
    const a = recordedDaemon({ config: { recovery }, store: storeA, instances: [slowA, writer], probes: { api: async () => {} }, clock });
    await a.daemon.start();
    await drive(clock, 1000, 100);
    assert.equal(slowA.runs.length, 1, 'A holds the slot and runs it');

    const slowB = scriptedCollector(storeB, 'ohlcv', { intervalMs: 10 * MIN, dependsOn: 'database' });
    const b = recordedDaemon({ config: { recovery }, store: storeB, instances: [slowB], probes: { api: async () => {} }, clock });
    await b.daemon.start();
    await drive(clock, 6 * MIN, 1000);
    await Promise.all([a.daemon.stop(), b.daemon.stop()]);

    assert.ok(writer.attempts > 10, `the data write retried under the lock for 4 minutes (${writer.attempts} attempts)`);
    assert.equal(slowB.runs.length, 0, 'B never took the slot over: A\'s renewals jumped A\'s queue');
    assert.deepEqual(a.runs.map((r) => [r.instance, r.status]).sort(), [['ohlcv', 'ok'], ['trades', 'ok']]);
    assert.deepEqual(await okRunsOf(storeB, 'ohlcv'), [{ instance_id: a.daemon.owner, slot_start: T0 / 1000 }]);
    assert.deepEqual(a.transitions, []);
  });

  it('a run whose claim another process took over stops at its next renewal: abandoned, not a failure', async (t) => {
    const { store, path } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const slow = scriptedCollector(store, 'ohlcv', { intervalMs: 10 * MIN, dependsOn: 'database', behaviour: (ctx) => ctx.clock.sleep(5 * MIN, ctx.signal).then(() => 1) });
    const { daemon, runs, transitions } = recordedDaemon({ config: { recovery: recoveryConfig({ claimTimeout: '2m' }) }, store, instances: [slow], probes: { api: async () => {} }, clock });
    await daemon.start();
    await drive(clock, 10_000, 1000);
    takeClaimOver(path, 'ohlcv', T0);
    await drive(clock, 40_000, 1000);
    assert.equal(slow.runs[0]?.end, T0 + 40_000, 'stopped at the first renewal (every claimTimeout / 3)');
    assert.equal(daemon.status()[0]?.state, 'healthy');
    await daemon.stop();
    const [row] = await store.read.runs.recent({ collector: 'ohlcv' });
    assert.equal(row?.status, 'abandoned');
    assert.match(row?.error ?? '', /lost its slot claim/);
    assert.deepEqual(runs.map((r) => r.status), ['abandoned']);
    assert.deepEqual(transitions, []);
    assert.equal((await store.read.slotClaims.get('ohlcv', T0 / 1000))?.instanceId, 'another-host:1:abcdef', 'the claim is left to its holder');
  });

  it('a run that ends after its claim was taken over is recorded as abandoned, not ok', async (t) => {
    const { store, path } = await openSqliteStore(t);
    const clock = new ManualClock(T0);
    const short = scriptedCollector(store, 'ohlcv', { intervalMs: 10 * MIN, dependsOn: 'database', behaviour: (ctx) => ctx.clock.sleep(30_000, ctx.signal).then(() => 1) });
    const { daemon } = recordedDaemon({ config: { recovery: recoveryConfig({ claimTimeout: '2m' }) }, store, instances: [short], probes: { api: async () => {} }, clock });
    await daemon.start();
    await drive(clock, 10_000, 1000);
    takeClaimOver(path, 'ohlcv', T0);
    await drive(clock, 30_000, 1000);
    await daemon.stop();
    const [row] = await store.read.runs.recent({ collector: 'ohlcv' });
    assert.equal(row?.status, 'abandoned');
    assert.match(row?.error ?? '', /another process had taken its expired slot claim over/);
    assert.equal((await store.read.slotClaims.get('ohlcv', T0 / 1000))?.finishedAt, null, 'the other holder\'s claim is not marked finished');
  });
});
