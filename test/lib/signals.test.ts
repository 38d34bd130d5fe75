/**
 * linkSignals: AbortSignal.any's behaviour, without what it leaks on Node 20 (a WeakRef per
 * derived signal kept in a long-lived source for ever).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { followersOf, linkSignals } from '../../src/lib/signals.ts';

test('a linked signal aborts with the reason of whichever source aborts first', () => {
  const stop = new AbortController();
  const wake = new AbortController();
  const linked = linkSignals(stop.signal, undefined, wake.signal);
  assert.equal(linked.signal.aborted, false);
  wake.abort('woken');
  assert.equal(linked.signal.aborted, true);
  assert.equal(linked.signal.reason, 'woken');
  stop.abort('stopped');
  assert.equal(linked.signal.reason, 'woken', 'the first abort decides');
  assert.equal(followersOf(stop.signal), 0, 'an aborted link leaves its other sources');
});

test('a source already aborted aborts the link at once', () => {
  const linked = linkSignals(new AbortController().signal, AbortSignal.abort('gone'));
  assert.equal(linked.signal.aborted, true);
  assert.equal(linked.signal.reason, 'gone');
  linked.release();
});

test('a released link no longer follows its sources, and a long-lived source keeps nothing of the links it served', () => {
  const lifetime = new AbortController();
  for (let i = 0; i < 10_000; i++) {
    const perCall = new AbortController();
    const linked = linkSignals(lifetime.signal, perCall.signal);
    if (i % 2 === 0) perCall.abort();
    linked.release();
  }
  assert.equal(followersOf(lifetime.signal), 0);
  const kept = linkSignals(lifetime.signal);
  const released = linkSignals(lifetime.signal);
  released.release();
  assert.equal(followersOf(lifetime.signal), 1);
  lifetime.abort('shutdown');
  assert.equal(kept.signal.reason, 'shutdown');
  assert.equal(released.signal.aborted, false, 'released before the abort');
});

test('many links at once put one listener on a source (no MaxListenersExceededWarning)', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => void warnings.push(w);
  process.on('warning', onWarning);
  const lifetime = new AbortController();
  const links = Array.from({ length: 50 }, () => linkSignals(lifetime.signal));
  await new Promise((resolve) => setImmediate(resolve));
  process.off('warning', onWarning);
  assert.deepEqual(warnings.map((w) => w.name), []);
  lifetime.abort();
  assert.ok(links.every((l) => l.signal.aborted));
});
