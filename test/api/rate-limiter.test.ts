import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiRateLimitError, MemoryBudgetStore, NoSpareBudgetError, RateLimiter, StartByPassedError } from '../../src/api/index.ts';
import { ManualClock } from '../../src/lib/clock.ts';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

/** Starts `n` acquires labelled `label` and records when each one is granted. */
function start(limiter: RateLimiter, clock: ManualClock, label: string, n: number, log: { label: string; at: number }[]): Promise<unknown>[] {
  return Array.from({ length: n }, () => limiter.acquire().then(() => log.push({ label, at: clock.now() - T0 })));
}

/**
 * This process's limiter (30/min, burst 1) sharing a budget store with another process that has
 * already taken `used` calls of the current minute.
 */
async function afterOtherProcess(used: number): Promise<{ clock: ManualClock; mine: RateLimiter }> {
  const clock = new ManualClock(T0);
  const store = new MemoryBudgetStore();
  const other = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 30, burst: 30, budgetStore: store, budgetKey: 'host-1' });
  const mine = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 30, budgetStore: store, budgetKey: 'host-1' });
  await Promise.all(Array.from({ length: used }, () => other.acquire()));
  return { clock, mine };
}

test('burst: `burst` calls go out at once, then one per 60/rate seconds', async () => {
  const clock = new ManualClock(T0);
  const limiter = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 30, burst: 3 });
  const log: { label: string; at: number }[] = [];
  const all = start(limiter, clock, 'a', 6, log);
  await clock.advance(10_000);
  await Promise.all(all);
  assert.deepEqual(log.map((e) => e.at), [0, 0, 0, 2000, 4000, 6000]);
});

test('FIFO between callers: turns are granted in the order they were asked for', async () => {
  const clock = new ManualClock(T0);
  const limiter = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 60 });
  const log: { label: string; at: number }[] = [];
  const all = [...start(limiter, clock, 'A', 3, log), ...start(limiter, clock, 'B', 1, log)];
  await clock.advance(500);
  all.push(...start(limiter, clock, 'C', 2, log), ...start(limiter, clock, 'A', 1, log));
  assert.equal(limiter.state().queueLength, 6);
  await clock.advance(10_000);
  await Promise.all(all);
  assert.deepEqual(log.map((e) => e.label).join(''), 'AAABCCA');
  assert.deepEqual(log.map((e) => e.at), [0, 1000, 2000, 3000, 4000, 5000, 6000]);
});

test('`startBy`: a call whose turn has not come by then leaves the queue unsent; the callers behind it move up', async () => {
  const clock = new ManualClock(T0);
  const limiter = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 60 });
  const log: { label: string; at: number }[] = [];
  const ahead = start(limiter, clock, 'A', 3, log);
  // Its turn would come at 3 s; the run stops starting calls at 2.5 s.
  const late = limiter.acquire(undefined, { startBy: T0 + 2_500 }).then(() => log.push({ label: 'late', at: clock.now() - T0 }));
  const inTime = limiter.acquire(undefined, { startBy: T0 + 10_000 }).then(() => log.push({ label: 'B', at: clock.now() - T0 }));
  const rejected = assert.rejects(late, (e: unknown) => e instanceof StartByPassedError && e.failureClass === 'api-rate-limit');
  await clock.advance(10_000);
  await Promise.all([...ahead, inTime, rejected]);
  assert.deepEqual(log.map((e) => `${e.label}@${e.at}`), ['A@0', 'A@1000', 'A@2000', 'B@3000']);
  await assert.rejects(limiter.acquire(undefined, { startBy: clock.now() }), StartByPassedError, 'past: refused at once');
});

test('a `first` caller (the health probe) goes ahead of the queue, FIFO among such callers', async () => {
  const clock = new ManualClock(T0);
  const limiter = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 60 });
  const log: { label: string; at: number }[] = [];
  const all = start(limiter, clock, 'Q', 3, log);
  await clock.advance(0);
  all.push(limiter.acquire(undefined, { first: true }).then(() => log.push({ label: 'P', at: clock.now() - T0 })));
  all.push(limiter.acquire(undefined, { first: true }).then(() => log.push({ label: 'R', at: clock.now() - T0 })));
  await clock.advance(10_000);
  await Promise.all(all);
  // The first Q had the burst token at once; P and R take the next turns, then the queued Qs.
  assert.deepEqual(log.map((e) => e.label).join(''), 'QPRQQ');
  assert.deepEqual(log.map((e) => e.at), [0, 1000, 2000, 3000, 4000]);
});

test('each acquire reports how long it queued', async () => {
  const clock = new ManualClock(T0);
  const waits: number[] = [];
  const limiter = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 30, onAcquire: ({ waitedMs }) => waits.push(waitedMs) });
  const all = [limiter.acquire(), limiter.acquire(), limiter.acquire()];
  await clock.advance(5000);
  assert.deepEqual(await Promise.all(all), [0, 2000, 4000]);
  assert.deepEqual(waits, [0, 2000, 4000]);
});

test('daily cap: a clear api-rate-limit error when used up, a fresh budget after 00:00 UTC', async () => {
  const clock = new ManualClock(Date.UTC(2025, 0, 1, 23, 59, 0));
  const limiter = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 600, dailyLimit: 3 });
  for (let i = 0; i < 3; i++) {
    const p = limiter.acquire();
    await clock.advance(100);
    await p;
  }
  assert.equal(limiter.state().remainingDaily, 0);
  const refused = assert.rejects(limiter.acquire(), (error: unknown) => error instanceof ApiRateLimitError && error.failureClass === 'api-rate-limit' && /daily API budget of 3 calls \(api\.dailyLimit\) is used up; it resets at 00:00 UTC/.test(error.message));
  await clock.advance(100);
  await refused;
  await clock.advance(60_000);
  assert.equal(limiter.state().remainingDaily, 3, 'a new UTC day');
  const next = limiter.acquire();
  await clock.advance(100);
  await next;
  assert.equal(limiter.state().remainingDaily, 2);
});

test('a 429 halves the rate, holds it, then raises it back linearly to the configured rate', async () => {
  const clock = new ManualClock(T0);
  const changes: { requestsPerMinute: number; reason: string }[] = [];
  const limiter = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 30, recoveryHoldMs: 60_000, increasePerMinute: 3, onRateChange: (e) => changes.push(e) });
  await limiter.acquire();
  limiter.onRateLimited();
  assert.equal(limiter.state().requestsPerMinute, 15);
  const log: { label: string; at: number }[] = [];
  const all = start(limiter, clock, 'x', 3, log);
  await clock.advance(20_000);
  await Promise.all(all);
  assert.deepEqual(log.map((e) => e.at), [4000, 8000, 12000], 'one call per 4 s at 15/min, bucket drained by the 429');
  limiter.onRateLimited();
  assert.equal(limiter.state().requestsPerMinute, 15, 'not below the floor, half the configured rate');
  await clock.advance(60_000);
  assert.equal(limiter.state().requestsPerMinute, 15, 'held for a minute');
  await clock.advance(60_000);
  assert.equal(limiter.state().requestsPerMinute, 18, 'then +3 per minute');
  await clock.advance(4 * 60_000);
  assert.equal(limiter.state().requestsPerMinute, 30);
  assert.deepEqual(changes.map((c) => c.reason), ['rate-limited', 'rate-limited', 'recovered']);
});

test('a storm halves the rate once per round: refusals of calls sent before the last decrease are no news; the floor is half the configured rate unless set', async () => {
  const clock = new ManualClock(T0);
  const limiter = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 30, minRequestsPerMinute: 2 });
  const byDefault = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 30 });
  const sent = clock.now();
  await clock.advance(1000);
  limiter.onRateLimited(undefined, sent);
  assert.equal(limiter.state().requestsPerMinute, 15);
  // Three more calls sent at the old rate are refused: no further decrease.
  for (let i = 0; i < 3; i++) limiter.onRateLimited(undefined, sent);
  assert.equal(limiter.state().requestsPerMinute, 15);
  // Calls sent after each decrease keep being refused: 7.5, 3.75, then the floor.
  for (let i = 0; i < 5; i++) {
    await clock.advance(1000);
    limiter.onRateLimited(undefined, clock.now() - 500);
    byDefault.onRateLimited(undefined, clock.now() - 500);
  }
  assert.equal(limiter.state().requestsPerMinute, 2, 'at a floor set to 2/min, one call per 30 s while refused');
  assert.equal(byDefault.state().requestsPerMinute, 15, 'by default, one call per 4 s: the storm is asked that often whether it is over');
});

test('after a storm, the first answered call brings the rate back to the first decrease, then each adds a tenth of the rate', async () => {
  const clock = new ManualClock(T0);
  const changes: { requestsPerMinute: number; reason: string }[] = [];
  const limiter = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 30, minRequestsPerMinute: 2, onRateChange: (e) => changes.push(e) });
  for (let i = 0; i < 6; i++) limiter.onRateLimited();
  assert.equal(limiter.state().requestsPerMinute, 2);
  const rates: number[] = [];
  while (limiter.state().requestsPerMinute < 30 && rates.length < 20) {
    limiter.onAnswered();
    rates.push(limiter.state().requestsPerMinute);
  }
  assert.deepEqual(rates, [15, 18, 21, 24, 27, 30]);
  assert.equal(changes.at(-1)?.reason, 'recovered');
  assert.ok(limiter.hasSpareBudget());
  // Answers with the rate not lowered change nothing.
  limiter.onAnswered();
  assert.equal(limiter.state().requestsPerMinute, 30);
});

// At a floor of 2/min the answer brings the rate back to the first decrease's 15/min (4 s); at the
// default floor, 15/min already, it climbs a tenth of the rate to 18/min (3.33 s).
for (const { floor, next } of [{ floor: 2, next: 6_000 }, { floor: undefined, next: 5_334 }]) {
  test(`the first answer after a storm (here, or news from another process) lets the next queued call go at once, not a floor interval later (floor ${floor ?? 'by default'})`, async () => {
    const clock = new ManualClock(T0);
    const limiter = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 30, ...(floor === undefined ? {} : { minRequestsPerMinute: floor }) });
    await limiter.acquire();
    for (let i = 0; i < 6; i++) limiter.onRateLimited();
    const log: { label: string; at: number }[] = [];
    const queued = start(limiter, clock, 'x', 2, log);
    await clock.advance(2_000);
    assert.equal(log.length, 0, 'at the floor the next call waits 60/floor s');
    limiter.onAnswered();
    await clock.advance(0);
    assert.deepEqual(log.map((e) => e.at), [2_000], 'one call at once');
    await clock.advance(4_000);
    await Promise.all(queued);
    assert.deepEqual(log.map((e) => e.at), [2_000, next], 'then at the climbing rate');
  });
}

test('a rate the server really enforces below the configured one: the slow-start threshold follows it down', async () => {
  const clock = new ManualClock(T0);
  const limiter = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 30, minRequestsPerMinute: 2 });
  limiter.onRateLimited(); // refused at 30 → 15, threshold 15
  limiter.onAnswered(); // 18
  await clock.advance(1000);
  limiter.onRateLimited(undefined, clock.now()); // refused at 18 (above the threshold) → 9, threshold 9
  assert.equal(limiter.state().requestsPerMinute, 9);
  limiter.onAnswered();
  assert.equal(limiter.state().requestsPerMinute, 12, 'additive above the new threshold, no doubling back to 18');
});

test('Retry-After: no call goes out before it', async () => {
  const clock = new ManualClock(T0);
  const limiter = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 30, burst: 5 });
  limiter.onRateLimited(45_000);
  assert.equal(limiter.state().blockedUntil, T0 + 45_000);
  const log: { label: string; at: number }[] = [];
  const all = start(limiter, clock, 'x', 2, log);
  await clock.advance(44_999);
  assert.equal(log.length, 0);
  await clock.advance(10_000);
  await Promise.all(all);
  assert.equal(log[0]!.at, 45_000);
  assert.ok(log[1]!.at >= 45_000 + 4000, 'and the lowered rate after it');
});

test('an aborted waiter leaves the queue without taking a call', async () => {
  const clock = new ManualClock(T0);
  const limiter = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 30, dailyLimit: 10 });
  await limiter.acquire();
  const controller = new AbortController();
  const aborted = limiter.acquire(controller.signal);
  const after = limiter.acquire();
  controller.abort(new Error('run cancelled'));
  await assert.rejects(aborted, /run cancelled/);
  assert.equal(limiter.state().queueLength, 1);
  await clock.advance(2000);
  assert.equal(await after, 2000);
  assert.equal(limiter.state().remainingDaily, 8);
});

test('two limiters sharing one budget store never exceed the shared minute budget together', async () => {
  const clock = new ManualClock(T0);
  const store = new MemoryBudgetStore();
  const a = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 10, burst: 10, budgetStore: store, budgetKey: 'host-1' });
  const b = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 10, burst: 10, budgetStore: store, budgetKey: 'host-1' });
  const log: { label: string; at: number }[] = [];
  const all = [...start(a, clock, 'a', 10, log), ...start(b, clock, 'b', 10, log)];
  await clock.advance(59_000);
  assert.equal(log.length, 10, 'ten calls in the first minute, from both processes together');
  await clock.advance(61_000);
  await Promise.all(all);
  assert.equal(log.length, 20);
  assert.ok(log.slice(10).every((e) => e.at >= 60_000));
});

test('while 429s keep the rate lowered, processes sharing a budget keep to it together, in an even spread: never the minute used up ahead, so no minute-long gap', async () => {
  const clock = new ManualClock(T0);
  const store = new MemoryBudgetStore();
  // Three processes, each lowered to 15/min by a 429: 45/min if each kept to its own rate.
  const limiters = ['a', 'b', 'c'].map(() => new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 30, budgetStore: store, budgetKey: 'host-1', recoveryHoldMs: 3_600_000 }));
  for (const limiter of limiters) limiter.onRateLimited();
  const log: { label: string; at: number }[] = [];
  limiters.forEach((limiter, i) => void Promise.all(start(limiter, clock, String(i), 40, log)));
  for (let t = 0; t < 120_000; t += 250) await clock.advance(250);
  const times = log.map((e) => e.at).sort((x, y) => x - y);
  const perMinute = [0, 1].map((m) => times.filter((at) => at >= m * 60_000 && at < (m + 1) * 60_000).length);
  assert.ok(perMinute.every((n) => n <= 15), `at most the lowered 15 calls a minute together (${perMinute.join(', ')})`);
  const gaps = times.slice(1).map((at, i) => at - times[i]!);
  // Taken as fast as the rates allow, the minute's share would be used up 20 s into it: a 40 s gap.
  // Spread, one call per 4 s; the spread's one call of slack, used early, makes one gap of two.
  assert.ok(Math.max(...gaps) <= 8_000, `the longest gap between calls is ${Math.max(...gaps)} ms`);
});

test('probe calls of three processes sharing a budget take only spare budget: spread over the minute, never kept waiting for the next', async () => {
  const clock = new ManualClock(T0);
  const store = new MemoryBudgetStore();
  const processes = ['a', 'b', 'c'].map((key) => ({ key, limiter: new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 30, budgetStore: store, budgetKey: 'host-1' }) }));
  const granted: number[] = [];
  let refused = 0;
  let longestWait = 0;
  // Each process probes every 2 s (the pace of recovery.apiProbeWhileDown), the three out of step.
  for (let t = 0; t < 60_000; t += 100) {
    for (const [i, { limiter }] of processes.entries()) {
      if ((t - i * 700) % 2000 !== 0) continue;
      const asked = clock.now();
      void limiter.acquire(undefined, { first: true, spare: true }).then(
        () => granted.push(clock.now() - T0),
        (error: unknown) => {
          assert.ok(error instanceof NoSpareBudgetError && /used ahead of an even spread/.test(error.message));
          refused += 1;
        },
      ).finally(() => {
        longestWait = Math.max(longestWait, clock.now() - asked);
      });
    }
    await clock.advance(100);
  }
  await clock.advance(2000);
  const inMinute = granted.filter((at) => at < 60_000);
  assert.ok(inMinute.length <= 30, `${inMinute.length} probe calls in the minute`);
  assert.ok(inMinute.length >= 25, `the spare budget is used: ${inMinute.length} probe calls`);
  assert.ok(refused > 0);
  const gaps = inMinute.slice(1).map((at, i) => at - (inMinute[i] as number));
  assert.ok(Math.max(...gaps) <= 4000, `probe calls at most 4 s apart, whichever process made them (longest gap ${Math.max(...gaps)} ms)`);
  assert.ok(longestWait <= 2000, `no probe call waited for the next minute (longest wait ${longestWait} ms)`);
});

test('a probe call still goes ahead of queued calls when there is spare budget, and is refused at once when there is none', async () => {
  const { clock, mine } = await afterOtherProcess(10);
  const log: { label: string; at: number }[] = [];
  const queued = start(mine, clock, 'Q', 1, log);
  await clock.advance(0);
  // Eleven calls at the minute's start: the even spread allows a twelfth just after 20 s, and says so.
  const refused = assert.rejects(mine.acquire(undefined, { first: true, spare: true }), (e: unknown) => e instanceof NoSpareBudgetError && e.retryAt === T0 + 20_001, 'eleven calls by 2 s are ahead of an even spread');
  await clock.advance(2000);
  await refused;
  await clock.advance(20_000);
  const probe = mine.acquire(undefined, { first: true, spare: true }).then(() => log.push({ label: 'P', at: clock.now() - T0 }));
  start(mine, clock, 'Q', 1, log);
  await clock.advance(10_000);
  await Promise.all([...queued, probe]);
  assert.deepEqual(log.map((e) => e.label).join(''), 'QPQ');
});

test('while the shared minute is used up, a probe call is refused at once; ordinary calls wait for the next minute', async () => {
  const { clock, mine } = await afterOtherProcess(30);
  const log: { label: string; at: number }[] = [];
  const queued = start(mine, clock, 'Q', 1, log);
  await clock.advance(5_000);
  await assert.rejects(mine.acquire(undefined, { first: true, spare: true }), NoSpareBudgetError);
  await clock.advance(60_000);
  await Promise.all(queued);
  assert.deepEqual(log, [{ label: 'Q', at: 60_000 }]);
});

test('the default margin stretches each minute by 250 ms, so the server never sees rate + 1 in its window', async () => {
  const clock = new ManualClock(T0);
  const limiter = new RateLimiter({ clock, requestsPerMinute: 30 });
  const log: { label: string; at: number }[] = [];
  const all = start(limiter, clock, 'x', 31, log);
  await clock.advance(70_000);
  await Promise.all(all);
  assert.ok(log[30]!.at >= 60_250, `31st call at ${log[30]!.at} ms`);
});

test('after an outage of a minute or more, the calls it held back go back to back for 10 s, within the shared minute; after a shorter one, at the usual pace', async () => {
  const { clock, mine: limiter } = await afterOtherProcess(26);
  const log: { label: string; at: number }[] = [];
  limiter.onApiBack(59_999);
  let all = start(limiter, clock, 'short', 2, log);
  await clock.advance(2_000);
  await Promise.all(all);
  assert.deepEqual(log.map((e) => e.at), [0, 2000], 'a shorter outage: one call per 2 s');
  limiter.onApiBack(60_000);
  all = start(limiter, clock, 'long', 4, log);
  await clock.advance(0);
  assert.deepEqual(log.slice(2).map((e) => e.at), [2000, 2000], 'back to back, until the shared minute (30) is used');
  await clock.advance(60_000);
  await Promise.all(all);
  assert.deepEqual(log.slice(4).map((e) => e.at), [60_000, 62_000], 'the rest in the next minute, at the usual pace: the 10 s of catching up are over');
});

test('after a 429 storm of a minute or more, the calls it held back go back to back within the whole shared minute; a 429 among them ends that', async () => {
  const { clock, mine: limiter } = await afterOtherProcess(20);
  limiter.onRateLimited();
  const log: { label: string; at: number }[] = [];
  limiter.onAnswered(clock.now());
  limiter.onApiBack(75_000); // the storm's length, from ApiAvailability
  const all = start(limiter, clock, 'caught-up', 6, log);
  await clock.advance(0);
  assert.deepEqual(log.map((e) => e.at), [0, 0, 0, 0, 0, 0], 'all at once, though the rate is still lowered and 20 of the minute are used');
  limiter.onRateLimited(undefined, clock.now());
  const after = start(limiter, clock, 'paced', 2, log);
  await clock.advance(1_000);
  assert.equal(log.length, 6, 'a 429 ends the catch-up: the next call waits for the lowered rate');
  await clock.advance(10_000);
  await Promise.all([...all, ...after]);
  assert.deepEqual(log.slice(6).map((e) => e.at), [4_000, 8_000], 'then one call per 4 s (15/min), the refused call given back to the minute');
});

test("Retry-After holds calls back until an answer to a later call (here, or another process's) says the storm is over; an answer to an earlier call does not", async () => {
  const clock = new ManualClock(T0);
  const limiter = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 30 });
  const earlier = clock.now();
  await clock.advance(1_000);
  limiter.onRateLimited(30_000, clock.now());
  const log: { label: string; at: number }[] = [];
  const queued = start(limiter, clock, 'x', 1, log);
  await clock.advance(1_000);
  limiter.onAnswered(earlier);
  await clock.advance(5_000);
  assert.equal(log.length, 0, 'sent before the refusal, its answer is no news');
  limiter.onAnswered(clock.now() - 500);
  await clock.advance(0);
  await Promise.all(queued);
  assert.deepEqual(log.map((e) => e.at), [7_000], 'at once, 24 s before the Retry-After');
  assert.equal(limiter.state().blockedUntil, null);
});

test("a process waiting for its even share of the lowered rate goes at once when another's answer ends a long storm (the catch-up's whole minute), not at its share's time", async () => {
  const clock = new ManualClock(T0);
  const store = new MemoryBudgetStore();
  const [a, b] = ['a', 'b'].map(() => new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 30, burst: 5, budgetStore: store, budgetKey: 'host-1' })) as [RateLimiter, RateLimiter];
  await clock.advance(20_000);
  // A third process called into the storm 10 times this minute: more than 15/min's even share 20–36 s in.
  for (let i = 0; i < 10; i++) await store.take('host-1:lowered', T0, 100);
  a.onRateLimited();
  b.onRateLimited();
  const log: { label: string; at: number }[] = [];
  const queued = [...start(a, clock, 'a', 3, log), ...start(b, clock, 'b', 3, log)];
  for (let t = 0; t < 8_000; t += 250) await clock.advance(250);
  assert.equal(log.length, 0, 'the even share at 15/min is used until 36 s into the minute');
  // Another process's answer ended a 75 s storm: news for b (seen elsewhere), then for a.
  b.onApiBack(75_000);
  b.onAnswered(clock.now());
  await clock.advance(0);
  assert.equal(log.filter((e) => e.label === 'b').length, 3, 'b catches up at once');
  a.onApiBack(75_000);
  a.onAnswered(clock.now());
  await clock.advance(0);
  await Promise.all(queued);
  assert.equal(log.length, 6);
});

test('calls the server refused with 429 are given back to the shared minute: they do not use up the budget of the calls it accepts', async () => {
  const clock = new ManualClock(T0);
  const store = new MemoryBudgetStore();
  const refused = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 10, burst: 10, budgetStore: store, budgetKey: 'host-1' });
  const other = new RateLimiter({ marginMs: 0, clock, requestsPerMinute: 10, burst: 10, budgetStore: store, budgetKey: 'host-1' });
  await Promise.all(Array.from({ length: 10 }, () => refused.acquire()));
  for (let i = 0; i < 4; i++) refused.onRateLimited(undefined, clock.now());
  const log: { label: string; at: number }[] = [];
  const all = start(other, clock, 'other', 5, log);
  await clock.advance(1_000);
  assert.deepEqual(log.map((e) => e.at), [0, 0, 0, 0], 'the four refused calls of the ten, at once; the fifth waits for the next minute');
  await clock.advance(60_000);
  await Promise.all(all);
  assert.equal(log[4]!.at, 60_000);
});
