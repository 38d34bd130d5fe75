/**
 * GatedProbe's memory over a long outage: a caller whose answer has settled must not stay
 * reachable until the API comes back. (A probe answer once raced against one promise that lived
 * as long as the outage; at ×300 the soak's daemons grew by ~750 MB during a 2-minute outage.)
 * And what it takes as news: a call the limiter refused for want of spare budget is none.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ApiUnavailableError, NoSpareBudgetError } from '../../src/api/index.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { GatedProbe } from '../../src/runtime/gated-probe.ts';
import type { Probe } from '../../src/runtime/probe.ts';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** A probe whose calls hang until the test fails them. */
function hangingProbe(): { probe: Probe; failNewest: (error: Error) => void } {
  const pending: ((error: Error) => void)[] = [];
  return {
    probe: () => new Promise<void>((_, reject) => void pending.push(reject)),
    failNewest: (error) => pending.pop()?.(error),
  };
}

/** Several callers wait on one hung call, which then fails with an error only they can still reach. */
async function answerCallersWithFailure(gated: GatedProbe, inner: ReturnType<typeof hangingProbe>): Promise<WeakRef<Error>> {
  const error = new Error('connect ECONNREFUSED 127.0.0.1:1');
  const answers = Array.from({ length: 10 }, () => gated.probe(AbortSignal.timeout(60_000)));
  await new Promise((resolve) => setImmediate(resolve));
  inner.failNewest(error);
  const outcomes = await Promise.allSettled(answers);
  assert.ok(outcomes.every((o) => o.status === 'rejected' && o.reason === error));
  return new WeakRef(error);
}

/** A probe answering with `outcomes` in turn (then passing), and the clock times it was called at. */
function scriptedProbe(clock: ManualClock, outcomes: (() => Promise<void>)[]): { inner: Probe; calls: number[] } {
  const calls: number[] = [];
  const inner: Probe = () => {
    calls.push(clock.now());
    return (outcomes.shift() ?? (() => Promise.resolve()))();
  };
  return { inner, calls };
}

it('callers answered while the API stays down are not kept alive until it comes back', async () => {
  const clock = new ManualClock();
  const inner = hangingProbe();
  const gated = new GatedProbe(inner.probe, 30_000, clock);
  const first = await answerCallersWithFailure(gated, inner);
  // A later failed call becomes the newest evidence: nothing of ours needs the first error any more.
  await clock.advance(30_000);
  await answerCallersWithFailure(gated, inner);
  await new Promise((resolve) => setImmediate(resolve));
  collectGarbage();
  assert.equal(first.deref(), undefined, 'the first failed call is still reachable from the probe');
});

it('fresh news that the API is up answers at once, while an older probe call still hangs', async () => {
  const clock = new ManualClock();
  const inner = hangingProbe();
  const gated = new GatedProbe(inner.probe, 30_000, clock);
  const hung = gated.probe(AbortSignal.timeout(60_000));
  hung.catch(() => undefined);
  await new Promise((resolve) => setImmediate(resolve));
  await clock.advance(1_000);
  // Another instance's run called the API and succeeded: the API is up.
  gated.noteSuccess();
  await clock.advance(1_000);
  let answered = false;
  await Promise.race([gated.probe(AbortSignal.timeout(60_000)).then(() => (answered = true)), new Promise((resolve) => setImmediate(resolve))]);
  assert.equal(answered, true, 'the probe waited on the hung call instead of answering from the news');
  inner.failNewest(new Error('never answered'));
});

it('news from another process that the API is up is taken while down, even without budget for a call', async () => {
  const clock = new ManualClock(0);
  const stop = new AbortController();
  const calls: number[] = [];
  const asked: number[] = [];
  const news: { theirs?: number } = {};
  const inner: Probe = async () => {
    calls.push(clock.now());
    throw new ApiUnavailableError('GET /networks answered 503.', 'server-error');
  };
  const gated = new GatedProbe(inner, 30_000, clock, {
    whileDownMs: 2_000, hasSpareBudget: () => false, signal: stop.signal,
    sharedNews: async (since) => {
      asked.push(since);
      return news.theirs;
    },
  });
  const seenUp: number[] = [];
  const heardAt: number[] = [];
  gated.onUp((at) => {
    seenUp.push(at);
    heardAt.push(clock.now());
  });
  gated.noteFailure(new ApiUnavailableError('GET /networks answered 503.', 'server-error'), 0);
  for (let t = 0; t < 5_000; t += 500) await clock.advance(500);
  news.theirs = 5_200;
  for (let t = 5_000; t < 8_000; t += 500) await clock.advance(500);
  stop.abort();
  assert.deepEqual(calls, [], 'no budget to spare: no call');
  assert.equal(asked.length, 12, `asked every 500 ms from 0 to 5.5 s (a read, no call): ${asked.length} times`);
  assert.ok(asked.every((since) => since === 0), 'for news since the evidence that the API is down');
  assert.deepEqual(seenUp, [5_200]);
  assert.deepEqual(heardAt, [5_500], 'at the first look after the news');
  await gated.probe(stop.signal);
});

it('a call refused for want of spare budget is no news: the pacing goes on and the API is seen up at the next try', async () => {
  const clock = new ManualClock(0);
  const stop = new AbortController();
  const down = new ApiUnavailableError('GET /networks failed: connect ECONNREFUSED.', 'network');
  const outcomes: (() => Promise<void>)[] = [
    () => Promise.reject(down),
    // Other processes sharing the budget used this minute's share: the limiter refused the call.
    () => Promise.reject(new NoSpareBudgetError('no spare API budget for a probe call now')),
    () => Promise.resolve(),
  ];
  const { inner, calls } = scriptedProbe(clock, outcomes);
  const gated = new GatedProbe(inner, 30_000, clock, { whileDownMs: 2_000, hasSpareBudget: () => true, signal: stop.signal });
  const seenUp: number[] = [];
  gated.onUp((at) => seenUp.push(at));
  gated.noteFailure(down);
  for (let t = 0; t < 4_500; t += 500) await clock.advance(500);
  await assert.rejects(gated.probe(stop.signal), (error: unknown) => error === down, 'just after the refused call, the newest news is still "down"');
  for (let t = 4_500; t < 8_000; t += 500) await clock.advance(500);
  stop.abort();
  assert.deepEqual(calls, [2_000, 4_000, 6_000], 'one try per whileDownMs, the refused one included; no call spent by the caller at 4.5 s');
  assert.deepEqual(seenUp, [6_000]);
});

it('after a refusal the next try comes when the limiter has spare budget again, not a spacing later', async () => {
  const clock = new ManualClock(0);
  const stop = new AbortController();
  const down = new ApiUnavailableError('GET /networks failed: connect ECONNREFUSED.', 'network');
  const outcomes: (() => Promise<void>)[] = [
    () => Promise.reject(down),
    // Refused at 4 s (other processes took the minute's share); spare budget again at 4.7 s.
    () => Promise.reject(new NoSpareBudgetError('no spare API budget for a probe call now', 4_700)),
    // Refused again at 4.7 s; spare at 4.9 s.
    () => Promise.reject(new NoSpareBudgetError('no spare API budget for a probe call now', 4_900)),
    // A call went out at 4.9 s: the next is due a spacing later (6.9 s), refused, spare at 7 s.
    () => Promise.reject(down),
    () => Promise.reject(new NoSpareBudgetError('no spare API budget for a probe call now', 7_000)),
    () => Promise.resolve(),
  ];
  const { inner, calls } = scriptedProbe(clock, outcomes);
  const gated = new GatedProbe(inner, 30_000, clock, { whileDownMs: 2_000, hasSpareBudget: () => true, signal: stop.signal });
  gated.noteFailure(down);
  for (let t = 0; t < 12_000; t += 100) await clock.advance(100);
  stop.abort();
  // Without retryAt: 2, 4, 6, 8, 10 and 12 s (the API seen up 5 s later).
  assert.deepEqual(calls, [2_000, 4_000, 4_700, 4_900, 6_900, 7_000]);
});

it('news from another process answers a probe instead of a call: the call budget is kept for the collectors', async () => {
  const clock = new ManualClock(100_000);
  let calls = 0;
  const inner: Probe = async () => {
    calls += 1;
    throw new NoSpareBudgetError('no spare API budget for a probe call now');
  };
  const news: { at?: number } = {};
  const gated = new GatedProbe(inner, 30_000, clock, { sharedNews: async (since) => (news.at !== undefined && news.at >= since ? news.at : undefined) });
  await assert.rejects(gated.probe(AbortSignal.timeout(60_000)), NoSpareBudgetError, 'no news, no budget: the probe fails');
  assert.equal(calls, 1);
  await clock.advance(30_000);
  news.at = clock.now() - 1_000;
  await gated.probe(AbortSignal.timeout(60_000));
  assert.equal(calls, 1, 'answered by the news, no call');
});

it('the API is seen up when a call\'s answer comes, not when the call went out: a failure in between is older news', async () => {
  const clock = new ManualClock(0);
  const answer: { ok?: () => void } = {};
  const inner: Probe = () => new Promise<void>((resolve) => void (answer.ok = resolve));
  const gated = new GatedProbe(inner, 30_000, clock);
  const seenUp: number[] = [];
  gated.onUp((at) => seenUp.push(at));
  gated.noteFailure(new ApiUnavailableError('GET /networks answered 503.', 'server-error'), 0);
  await clock.advance(30_000);
  const probed = gated.probe(AbortSignal.timeout(60_000));
  await clock.advance(3_000);
  answer.ok?.();
  await probed;
  assert.deepEqual(seenUp, [33_000]);
});

it('a probe call still unanswered when the API is seen up is withdrawn, and its withdrawal is no news: after a 429 storm the limiter turn it waited for goes to a collector', async () => {
  const clock = new ManualClock(0);
  const stop = new AbortController();
  const asked: number[] = [];
  const withdrawn: unknown[] = [];
  // A call waiting for its turn at the rate limiter: it settles only when its signal aborts.
  const inner: Probe = (signal) => new Promise<void>((_, reject) => {
    asked.push(clock.now());
    signal?.addEventListener('abort', () => {
      withdrawn.push(signal.reason);
      reject(signal.reason);
    }, { once: true });
  });
  const news: { theirs?: number } = {};
  const gated = new GatedProbe(inner, 30_000, clock, { whileDownMs: 2_000, hasSpareBudget: () => true, signal: stop.signal, sharedNews: async () => news.theirs });
  gated.noteFailure(new ApiUnavailableError('GET /networks answered 503.', 'server-error'), 0);
  for (let t = 0; t < 2_000; t += 500) await clock.advance(500);
  assert.deepEqual(asked, [2_000], 'the pacing asked for a call 2 s after the failure');
  assert.equal(withdrawn.length, 0);
  // Another process saw the API answer at 1.5 s, before this call was asked for.
  news.theirs = 1_500;
  await clock.advance(500);
  await clock.advance(0);
  assert.equal(withdrawn.length, 1, 'the queued call was withdrawn');
  assert.equal(gated.seenUpSince(0), 1_500, 'and its withdrawal, dated after the news, did not turn the evidence back to down');
  await gated.probe(stop.signal);
  stop.abort();
});
