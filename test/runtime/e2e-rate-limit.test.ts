/**
 * A 429 storm with real processes: `gtc start` (collectors every 5 minutes) on an accelerated
 * clock (×SPEED) shared with the simulator in this process, which refuses every request with
 * 429 for 2 simulated minutes from just before the 5-minute slot. Rate limiting is not an outage:
 * nothing may be suspended, and the calls arriving at the simulator must never exceed its limit.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { outcomes, sec } from './e2e/measure.ts';
import { finalState, maxCallsPerMinute, startScenario } from './e2e/scenario.ts';

const SPEED = 5;
const STORM_MS = 120_000;
const LIMIT = 30;

it('429 storm (2 simulated minutes): no suspension, and the calls never exceed the limit', { timeout: 120_000 }, async (t) => {
  // Twelve watched pools: the first runs alone want more calls than the limit allows in a minute.
  const s = await startScenario(t, { speed: SPEED, leadMs: 100_000, requestsPerMinute: LIMIT, watched: 12 });
  const { timebase, boundary, sim } = s;
  const daemon = s.startDaemon();
  await daemon.ready();

  await timebase.until(boundary - 2_000);
  const fault = sim.faults.set({ mode: '429', durationMs: STORM_MS });
  const start = fault?.since ?? timebase.now();
  const end = start + STORM_MS;
  await timebase.until(end + 60_000);
  const result = outcomes(daemon, start, end, timebase.now());
  const exit = await daemon.stop();
  const after = await finalState(s.store);

  const requests = sim.stats.snapshot().recent;
  const stormed = requests.filter((r) => r.fault === '429').length;
  // The simulator's own limiter answers 429 without a fault: a call over the limit.
  const overLimit = requests.filter((r) => r.status === 429 && r.fault === undefined).length;
  const perMinute = { before: maxCallsPerMinute(sim, -Infinity, start), storm: maxCallsPerMinute(sim, start, end), after: maxCallsPerMinute(sim, end) };
  t.diagnostic(`storm from ${sec(start - boundary)} to ${sec(end - boundary)} s after the slot (×${SPEED}): ${stormed} calls refused by the storm, ${overLimit} refused by the simulator's limit of ${LIMIT}/min`);
  t.diagnostic(`most calls in any 60 s (simulated): before ${perMinute.before}, during ${perMinute.storm}, after ${perMinute.after}; ${requests.length} calls in all`);
  for (const o of result) {
    const first = o.firstSuccessAfterEnd;
    t.diagnostic(`${o.instance}: ${o.failedRuns.length} failed runs (${[...new Set(o.failedRuns.map((r) => r.failureClass))].join(', ') || '-'}); states ${o.states.join(' > ') || '-'}; first run to succeed after the storm ${first ? `${sec(first.startedAt - end)}..${sec(first.at - end)} s` : '-'}`);
  }

  assert.equal(exit.code, 0, 'clean exit');
  assert.ok(stormed > 0, 'the storm met calls');
  assert.deepEqual(daemon.transitions().filter((e) => e.to === 'suspended').map((e) => e.instance), [], 'no instance suspended');
  assert.equal(overLimit, 0, 'the simulator never had to refuse a call over its limit');
  assert.ok(Math.max(perMinute.before, perMinute.storm, perMinute.after) <= LIMIT, `at most ${LIMIT} calls in any 60 s`);
  for (const o of result.filter((x) => x.failedRuns.length > 0)) {
    assert.ok(o.failedRuns.every((r) => r.failureClass === 'api-rate-limit'), `${o.instance}: failures are rate limits`);
  }
  assert.deepEqual(Object.values(after.states).filter((state) => state === 'suspended'), []);
  assert.equal(after.running, 0);
});
