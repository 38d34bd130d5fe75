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
  const { state, gaps } = planAfterPoll(initialPollState(NOW), { now: NOW, timestamps: spread(5, 86_000), itemCount: 5, overlapped: false }, limits);
  assert.deepEqual(gaps, []);
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
  const { state, gaps } = planAfterPoll({ ...initialPollState(NOW - 3600), lastPollAt: NOW - 3600 }, obs, limits);
  assert.deepEqual(gaps, [], 'the response reached back to stored trades');
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
  const { state, gaps } = planAfterPoll(previous, { now: NOW, timestamps, itemCount: TRADE_WINDOW, overlapped: false }, limits);
  assert.deepEqual(gaps.map(({ fromTs, toTs }) => ({ fromTs, toTs })), [{ fromTs: NOW - 7200, toTs: Math.min(...timestamps) }]);
  assert.equal(state.nextPollAt, NOW + limits.minPollS);
  assert.equal(state.since, NOW - 90_000);
  // The first poll of a pool records no gap: collection starts after the second of its oldest trade
  // (that second may hold trades a full answer left out).
  const first = planAfterPoll(initialPollState(NOW), { now: NOW, timestamps, itemCount: TRADE_WINDOW, overlapped: false }, limits);
  assert.deepEqual(first.gaps, []);
  assert.equal(first.state.since, Math.min(...timestamps) + 1);
});

test('a short first answer covers the 24 h before it arrived, not before the poll began', () => {
  const { state } = planAfterPoll(initialPollState(NOW), { now: NOW, answeredAt: NOW + 5, timestamps: spread(5, 86_000), itemCount: 5, overlapped: false }, limits);
  assert.equal(state.since, NOW + 5 - 86_400 + 1);
});

test('a short answer after more than 24 h without a poll records the span it no longer holds', () => {
  const previous = { ...initialPollState(NOW - 100_000), lastPollAt: NOW - 100_000, since: NOW - 190_000 };
  const { gaps } = planAfterPoll(previous, { now: NOW, timestamps: spread(5, 86_000), itemCount: 5, overlapped: false }, limits);
  assert.deepEqual(gaps.map(({ fromTs, toTs }) => [fromTs, toTs]), [[NOW - 100_000, NOW - 86_400]]);
});

test('a rejected trade is held and asked for again soon; served valid by the next answer, nothing is recorded', () => {
  const previous = { ...initialPollState(NOW - 600), lastPollAt: NOW - 600, since: NOW - 90_000 };
  const first = planAfterPoll(previous, { now: NOW, timestamps: spread(50, 3000), itemCount: 51, overlapped: true, rejected: [{ olderTs: NOW - 400, newerTs: NOW - 300 }] }, limits);
  assert.deepEqual(first.gaps, []);
  assert.deepEqual(first.state.rejected, { fromTs: NOW - 400, toTs: NOW - 300, attempts: 1 });
  assert.equal(first.state.nextPollAt, NOW + limits.minPollS);
  const next = planAfterPoll(first.state, { now: NOW + 60, timestamps: spread(60, 3000), itemCount: 60, overlapped: true }, limits);
  assert.deepEqual(next.gaps, []);
  assert.equal(next.state.rejected, undefined);
});

test('a held rejected trade becomes a gap when the next answer no longer reaches back to it, or after 3 rejections', () => {
  const held = { ...initialPollState(NOW - 60), lastPollAt: NOW - 60, since: NOW - 90_000, rejected: { fromTs: NOW - 4000, toTs: NOW - 3990, attempts: 1 } };
  const timestamps = spread(300, 1800);
  const left = planAfterPoll(held, { now: NOW, timestamps, itemCount: TRADE_WINDOW, overlapped: true }, limits);
  assert.deepEqual(left.gaps.map(({ fromTs, toTs }) => [fromTs, toTs]), [[NOW - 4000, NOW - 3990]]);
  assert.match(left.gaps[0]?.reason ?? '', /^rejected/);
  assert.equal(left.state.rejected, undefined);
  let state = { ...held, rejected: { fromTs: NOW - 400, toTs: NOW - 300, attempts: 1 } };
  for (let poll = 2; poll <= 3; poll += 1) {
    const plan = planAfterPoll(state, { now: NOW, timestamps: spread(50, 3000), itemCount: 51, overlapped: true, rejected: [{ ts: NOW - 350 }] }, limits);
    state = plan.state as typeof state;
    if (poll < 3) assert.deepEqual(plan.gaps, []);
    else assert.deepEqual(plan.gaps.map(({ fromTs, toTs }) => [fromTs, toTs]), [[NOW - 350, NOW - 350]]);
  }
  assert.equal(state.rejected, undefined);
});

test('a rejected trade older than every valid trade of a pool\'s first full answer lies before coverage', () => {
  const timestamps = spread(299, 1800);
  const { state, gaps } = planAfterPoll(initialPollState(NOW), { now: NOW, timestamps, itemCount: TRADE_WINDOW, overlapped: false, rejected: [{ newerTs: Math.min(...timestamps) }] }, limits);
  assert.deepEqual(gaps, []);
  assert.equal(state.rejected, undefined);
});

test('poll states round-trip through their checkpoint text; garbage starts afresh', () => {
  const { state } = planAfterPoll(initialPollState(NOW), { now: NOW, timestamps: spread(10, 3600), itemCount: 10, overlapped: false }, limits);
  assert.deepEqual(parsePollState(JSON.stringify(state)), state);
  const held = { ...state, rejected: { fromTs: NOW - 10, toTs: NOW - 5, attempts: 2 } };
  assert.deepEqual(parsePollState(JSON.stringify(held)), held);
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
