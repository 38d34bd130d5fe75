/**
 * The end of a run that the database refused to record (locked or down as the run finished) is
 * written again on its own: within a probe interval, and at the latest when the daemon stops —
 * not only before the instance's next run, which may be an hour away. Until then the run's row
 * reads `running`, to `gtc runs`, to the dashboard and to a restarted process alike.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/lib/clock.ts';
import { GtcError } from '../../src/lib/errors.ts';
import type { Store } from '../../src/store/index.ts';
import { drive, openSqliteStore, recordedDaemon, recoveryConfig, scriptedCollector } from './harness.ts';

const T0 = Date.UTC(2025, 8, 15, 7, 0, 0);
const HOUR = 3_600_000;

/** The store, except that closing a run ('run finish') fails as a locked database would, while `refuse` is set. */
function refusingRunCloses(store: Store): { store: Store; refuse: boolean } {
  const control = { refuse: false, store };
  const write: Store['write'] = (work, options) => (control.refuse && options?.label === 'run finish'
    ? Promise.reject(new GtcError('db-locked', 'database is locked'))
    : store.write(work, options));
  control.store = new Proxy(store, {
    get: (target, key) => (key === 'write' ? write : Reflect.get(target, key, target)),
  });
  return control;
}

async function statusOfRuns(store: Store, collector: string): Promise<string[]> {
  return (await store.read.runs.recent({ collector })).map((run) => run.status);
}

/** A daemon with an hourly instance, started with the database refusing run closes. */
async function startRefusingCloses(t: Parameters<typeof openSqliteStore>[0]) {
  const { store: real } = await openSqliteStore(t);
  const faulty = refusingRunCloses(real);
  const clock = new ManualClock(T0);
  const dexes = scriptedCollector(real, 'dexes', { intervalMs: HOUR });
  const { daemon } = recordedDaemon({ config: { recovery: recoveryConfig() }, store: faulty.store, instances: [dexes], probes: { api: async () => {} }, clock });
  faulty.refuse = true;
  await daemon.start();
  return { real, faulty, clock, dexes, daemon };
}

describe('a run close the database refused', () => {
  it('is written within a probe interval, not at the next run an hour later', async (t) => {
    const { real, faulty, clock, dexes, daemon } = await startRefusingCloses(t);
    await drive(clock, 1000);
    assert.equal(dexes.runs.length, 1);
    assert.deepEqual(await statusOfRuns(real, 'dexes'), ['running'], 'the close was refused');
    faulty.refuse = false;
    await drive(clock, recoveryConfig().probeInterval);
    assert.deepEqual(await statusOfRuns(real, 'dexes'), ['ok']);
    assert.equal(dexes.runs.length, 1, 'no extra run was needed to write it');
    await daemon.stop();
  });

  it('is written when the daemon stops, so a clean stop leaves no run `running`', async (t) => {
    const { real, faulty, clock, daemon } = await startRefusingCloses(t);
    await drive(clock, 1000);
    faulty.refuse = false;
    await daemon.stop();
    assert.deepEqual(await statusOfRuns(real, 'dexes'), ['ok']);
  });

  it('that is still refused keeps being retried, and is written once the database takes it', async (t) => {
    const { real, faulty, clock, daemon } = await startRefusingCloses(t);
    await drive(clock, 3 * recoveryConfig().probeInterval, 500);
    assert.deepEqual(await statusOfRuns(real, 'dexes'), ['running']);
    faulty.refuse = false;
    await drive(clock, recoveryConfig().probeInterval, 500);
    assert.deepEqual(await statusOfRuns(real, 'dexes'), ['ok']);
    await daemon.stop();
  });
});
