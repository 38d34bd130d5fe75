/** The daemon's database watch: probes while the database is down, a probe interval apart, not otherwise. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/lib/clock.ts';
import { watchDatabaseWhileDown } from '../../src/runtime/database-watch.ts';

test('probes every databaseProbeWhileDown while down, from each probe\'s start; none while up', async () => {
  const clock = new ManualClock(0);
  const stop = new AbortController();
  let down = false;
  const probedAt: number[] = [];
  let slow = false;
  const watch = watchDatabaseWhileDown({
    isDown: () => down,
    probe: async () => {
      probedAt.push(clock.now());
      // A probe that waits (a slow connect): the next goes when it ends, not a whole interval later.
      if (slow) await clock.sleep(2_500);
      throw new Error('ECONNREFUSED');
    },
    clock, everyMs: 1_000, signal: stop.signal,
  });
  await clock.advance(3_000);
  assert.deepEqual(probedAt, [], 'up: no probe');
  down = true;
  await clock.advance(3_000);
  assert.deepEqual(probedAt, [4_000, 5_000, 6_000]);
  slow = true;
  await clock.advance(1_000);
  slow = false;
  // Started at 7 s and answered at 9.5 s: the next at once, not at 10.5 s, and none while it ran.
  await clock.advance(2_500);
  assert.deepEqual(probedAt, [4_000, 5_000, 6_000, 7_000, 9_500]);
  down = false;
  await clock.advance(5_000);
  assert.equal(probedAt.length, 5, 'up again: no more probes');
  stop.abort();
  await clock.advance(1_000);
  await watch;
});
