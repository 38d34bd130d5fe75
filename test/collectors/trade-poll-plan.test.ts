/** The per-pool trade poll plan: rate estimate, next poll within bounds, overflow → gap and sooner. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateRate, initialPollState, parsePollState, planAfterPoll, TRADE_WINDOW } from '../../src/collectors/trade-poll-plan.ts';

const limits = { minPollS: 60, maxPollS: 6 * 3600 };
const NOW = 1_750_000_000;

/** `count` trades spread evenly over the `spanS` seconds before NOW. */
function spread(count: number, spanS: number): number[] {
  return Array.from({ length: count }, (_, i) => NOW - Math.floor(((i + 0.5) * spanS) / count));
}

test('a quiet pool is polled at the maximum interval, and at least once within the 24 h window', () => {
  const { state, gap } = planAfterPoll(initialPollState(NOW), { now: NOW, timestamps: spread(5, 86_000), itemCount: 5, overlapped: false }, limits);
  assert.equal(gap, null);
  assert.equal(state.nextPollAt, NOW + limits.maxPollS);
  assert.equal(state.since, NOW - 86_400 + 1, 'a short answer holds every trade of the 24 h window');
  const silent = planAfterPoll(initialPollState(NOW), { now: NOW, timestamps: [], itemCount: 0, overlapped: false }, limits);
  assert.equal(silent.state.nextPollAt, NOW + limits.maxPollS);
  assert.equal(silent.state.since, NOW - 86_400 + 1);
});

test('a busy pool is polled before a doubled rate could fill half the window', () => {
  // 300 trades in the last hour: 1 trade per 12 s.
  const obs = { now: NOW, timestamps: spread(300, 3600), itemCount: TRADE_WINDOW, overlapped: true };
  assert.ok(Math.abs(estimateRate(obs) - 300 / 3600) < 0.01);
  const { state, gap } = planAfterPoll({ ...initialPollState(NOW - 3600), lastPollAt: NOW - 3600 }, obs, limits);
  assert.equal(gap, null, 'the response reached back to stored trades');
  const expected = 150 / ((300 / 3600) * 2);
  assert.ok(Math.abs(state.nextPollAt - NOW - expected) <= 30, `next poll in ${state.nextPollAt - NOW} s, expected ~${expected}`);
  assert.ok(state.deadline <= NOW + 3600 + 30);
});

test('a burst in the last 15 minutes wins over a calm day', () => {
  const calm = spread(100, 86_000).filter((ts) => ts < NOW - 900);
  const burst = spread(120, 900);
  const rate = estimateRate({ now: NOW, timestamps: [...burst, ...calm], itemCount: burst.length + calm.length });
  assert.ok(Math.abs(rate - 120 / 900) < 0.01);
});

test('a full window that does not reach stored trades records the missing span and polls soon', () => {
  const previous = { ...initialPollState(NOW - 7200), lastPollAt: NOW - 7200, newestTs: NOW - 7300, since: NOW - 90_000 };
  const timestamps = spread(300, 1800);
  const { state, gap } = planAfterPoll(previous, { now: NOW, timestamps, itemCount: TRADE_WINDOW, overlapped: false }, limits);
  assert.deepEqual(gap, { fromTs: NOW - 7200, toTs: Math.min(...timestamps) });
  assert.equal(state.nextPollAt, NOW + limits.minPollS);
  assert.equal(state.since, NOW - 90_000);
  // The first poll of a pool records no gap: collection starts after the second of its oldest trade
  // (that second may hold trades a full answer left out).
  const first = planAfterPoll(initialPollState(NOW), { now: NOW, timestamps, itemCount: TRADE_WINDOW, overlapped: false }, limits);
  assert.equal(first.gap, null);
  assert.equal(first.state.since, Math.min(...timestamps) + 1);
});

test('poll states round-trip through their checkpoint text; garbage starts afresh', () => {
  const { state } = planAfterPoll(initialPollState(NOW), { now: NOW, timestamps: spread(10, 3600), itemCount: 10, overlapped: false }, limits);
  assert.deepEqual(parsePollState(JSON.stringify(state)), state);
  assert.equal(parsePollState('{"x":1}'), null);
  assert.equal(parsePollState('not json'), null);
  assert.equal(parsePollState(undefined), null);
});

test('a busy pool in a quiet hour keeps being polled as often as its average asks', () => {
  const busy = 300 / 3600;
  const previous = { ...initialPollState(NOW - 600), lastPollAt: NOW - 600, rate: busy, averageRate: busy };
  // The last response: a quiet spell, 60 trades in the last 2 hours (not a full window).
  const { state } = planAfterPoll(previous, { now: NOW, timestamps: spread(60, 7200), itemCount: 60, overlapped: true }, limits);
  assert.ok(state.averageRate > busy * 0.9, 'one quiet poll barely moves the average');
  assert.ok(state.nextPollAt - NOW < 1000, `next poll in ${state.nextPollAt - NOW} s`);
});
