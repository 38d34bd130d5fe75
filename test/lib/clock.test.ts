import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ManualClock, sleepOrWake } from '../../src/lib/clock.ts';

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

it('sleepOrWake: ends early without error when woken, rejects only when stopped', async () => {
  const clock = new ManualClock(0);
  const wake = new AbortController();
  const woken = sleepOrWake(clock, 60_000, wake.signal);
  await clock.advance(1_000);
  wake.abort();
  await woken;
  assert.equal(clock.now(), 1_000, 'woken after 1 s, not 60');
  await sleepOrWake(clock, 60_000, wake.signal);
  assert.equal(clock.now(), 1_000, 'already woken: no sleep');
  const stop = new AbortController();
  const stopped = sleepOrWake(clock, 60_000, new AbortController().signal, stop.signal);
  stop.abort(new Error('stopping'));
  await assert.rejects(stopped, /stopping/);
});
