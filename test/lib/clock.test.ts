import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ManualClock } from '../../src/lib/clock.ts';

it('wakes sleepers in time order, including sleeps started by woken tasks', async () => {
  const clock = new ManualClock(0);
  const woke: string[] = [];
  void clock.sleep(300).then(() => woke.push(`c@${clock.now()}`));
  void clock.sleep(100).then(async () => {
    woke.push(`a@${clock.now()}`);
    await clock.sleep(100);
    woke.push(`b@${clock.now()}`);
  });
  await clock.advance(1000);
  assert.deepEqual(woke, ['a@100', 'b@200', 'c@300']);
  assert.equal(clock.now(), 1000);
});

it('rejects an aborted sleep and forgets it', async () => {
  const clock = new ManualClock(0);
  const controller = new AbortController();
  const sleeping = clock.sleep(1000, controller.signal);
  controller.abort(new Error('stop'));
  await assert.rejects(sleeping, /stop/);
  assert.equal(clock.pending, 0);
});
