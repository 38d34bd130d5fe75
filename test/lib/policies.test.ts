import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BrokenCircuitError, CircuitBreaker, RequestTimeoutError, RetryPolicy, withTimeout, type BreakerState } from '../../src/lib/policies.ts';
import { ManualClock } from '../../src/lib/clock.ts';

/** Runs `promise` while moving the clock forward until it settles. */
async function drive<T>(clock: ManualClock, promise: Promise<T>, stepMs = 100, maxMs = 600_000): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => (settled = true));
  watched.catch(() => undefined);
  for (let t = 0; !settled && t < maxMs; t += stepMs) await clock.advance(stepMs);
  return watched;
}

test('retry: transient failures are retried with exponential backoff and full jitter', async () => {
  const clock = new ManualClock(0);
  const policy = new RetryPolicy({ clock, maxAttempts: 5, maxTotalMs: 60_000, initialDelayMs: 1000, maxDelayMs: 30_000 });
  const delays: number[] = [];
  let calls = 0;
  const result = await drive(
    clock,
    policy.execute(
      async () => {
        calls++;
        if (calls < 4) throw new Error('503');
        return 'ok';
      },
      () => ({ retry: true }),
      { onRetry: ({ delayMs }) => delays.push(delayMs) },
    ),
    10,
  );
  assert.equal(result, 'ok');
  assert.equal(calls, 4);
  delays.forEach((d, i) => assert.ok(d >= 0 && d < 1000 * 2 ** i, `delay ${i} = ${d} within [0, ${1000 * 2 ** i})`));
});

test('retry: bounded attempts, bounded total time, and no retry when the error says so', async () => {
  const clock = new ManualClock(0);
  const policy = new RetryPolicy({ clock, maxAttempts: 3, maxTotalMs: 60_000, initialDelayMs: 100 });
  let calls = 0;
  await assert.rejects(drive(clock, policy.execute(async () => { calls++; throw new Error('down'); }, () => ({ retry: true }))), /down/);
  assert.equal(calls, 3);

  calls = 0;
  await assert.rejects(policy.execute(async () => { calls++; throw new Error('404-ish'); }, () => ({ retry: false })), /404-ish/);
  assert.equal(calls, 1);

  // A Retry-After beyond the total budget ends the retries at once, without sleeping.
  calls = 0;
  const short = new RetryPolicy({ clock, maxAttempts: 10, maxTotalMs: 10_000 });
  await assert.rejects(short.execute(async () => { calls++; throw new Error('429'); }, () => ({ retry: true, minDelayMs: 30_000 })), /429/);
  assert.equal(calls, 1);
  assert.equal(clock.pending, 0);
});

test('retry: a wait ends early when its wake signal fires (the dependency was seen back); an abort still ends it with the abort', async () => {
  const clock = new ManualClock(0);
  const policy = new RetryPolicy({ clock, maxAttempts: 3, maxTotalMs: 3_600_000, initialDelayMs: 600_000, maxDelayMs: 600_000 });
  let back = new AbortController();
  const attempts: number[] = [];
  const run = policy.execute(
    async () => {
      attempts.push(clock.now());
      if (attempts.length < 2) throw new Error('503');
      return 'ok';
    },
    () => ({ retry: true, minDelayMs: 300_000 }),
    { wake: () => back.signal },
  );
  await clock.advance(1_000);
  back.abort();
  back = new AbortController();
  assert.equal(await run, 'ok');
  assert.deepEqual(attempts, [0, 1_000], 'the second attempt went when woken, not 300 s later');

  const stop = new AbortController();
  const stopped = policy.execute(async () => { throw new Error('503'); }, () => ({ retry: true, minDelayMs: 300_000 }), { signal: stop.signal, wake: () => back.signal });
  await clock.advance(1_000);
  stop.abort(new Error('stopping'));
  await assert.rejects(stopped, /stopping/);
});

test('breaker: opens after N consecutive failures, refuses, half-opens with ONE probe, closes on success', async () => {
  const clock = new ManualClock(0);
  const changes: string[] = [];
  const breaker = new CircuitBreaker({ clock, threshold: 3, halfOpenAfterMs: 5000, onStateChange: ({ from, to }) => changes.push(`${from}->${to}`) });
  const fail = () => breaker.execute(async () => { throw new Error('503'); }, () => true);
  for (let i = 0; i < 3; i++) await assert.rejects(fail(), /503/);
  assert.equal(breaker.state, 'open' satisfies BreakerState);

  let ran = 0;
  await assert.rejects(breaker.execute(async () => ran++, () => true), BrokenCircuitError);
  assert.equal(ran, 0, 'refused without calling');

  await clock.advance(5000);
  let release!: () => void;
  const probe = breaker.execute(() => new Promise<string>((resolve) => (release = () => resolve('probe ok'))), () => true);
  assert.equal(breaker.state, 'half-open');
  await assert.rejects(breaker.execute(async () => ran++, () => true), (e: unknown) => e instanceof BrokenCircuitError && e.retryAtMs === null);
  assert.equal(ran, 0, 'only one probe');
  release();
  assert.equal(await probe, 'probe ok');
  assert.equal(breaker.state, 'closed');
  assert.deepEqual(changes, ['closed->open', 'open->half-open', 'half-open->closed']);
});

test('breaker: a failed probe opens it again; errors that are not failures do not count', async () => {
  const clock = new ManualClock(0);
  const breaker = new CircuitBreaker({ clock, threshold: 2, halfOpenAfterMs: 1000 });
  const notFailure = () => breaker.execute(async () => { throw new Error('400'); }, () => false);
  for (let i = 0; i < 5; i++) await assert.rejects(notFailure(), /400/);
  assert.equal(breaker.state, 'closed');
  const fail = () => breaker.execute(async () => { throw new Error('timeout'); }, () => true);
  await assert.rejects(fail());
  await assert.rejects(fail());
  assert.equal(breaker.state, 'open');
  await clock.advance(1000);
  await assert.rejects(fail(), /timeout/);
  assert.equal(breaker.state, 'open', 'probe failed');
  await assert.rejects(breaker.execute(async () => 1, () => true), BrokenCircuitError);
  await clock.advance(1000);
  assert.equal(await breaker.execute(async () => 1, () => true), 1);
  assert.equal(breaker.state, 'closed');
});

test('breaker: the open period counts from when the failing call was sent: a call that waited out a lock watched it all that while', async () => {
  const clock = new ManualClock(0);
  const breaker = new CircuitBreaker({ clock, threshold: 1, halfOpenAfterMs: 5000 });
  // A write blocked 5 s in SQLite's busy handler, then failed: the next attempt may go at once,
  // not 5 s later (when the lock may long have ended).
  await assert.rejects(breaker.execute(async () => {
    await clock.advance(5000);
    throw new Error('SQLITE_BUSY');
  }, () => true), /SQLITE_BUSY/);
  assert.equal(breaker.state, 'open');
  assert.equal(await breaker.execute(async () => 'written', () => true), 'written');
  assert.equal(breaker.state, 'closed');
  // A quick failure still keeps the circuit open the whole 5 s.
  await assert.rejects(breaker.execute(async () => { throw new Error('SQLITE_BUSY'); }, () => true));
  await clock.advance(4999);
  await assert.rejects(breaker.execute(async () => 1, () => true), (e: unknown) => e instanceof BrokenCircuitError && e.retryAtMs === 10_000);
});

test('breaker: a refusal says when the call whose failure opened the circuit was made', async () => {
  const clock = new ManualClock(0);
  const breaker = new CircuitBreaker({ clock, threshold: 1, halfOpenAfterMs: 60_000 });
  // Sent at 0, fails at 15 s (a timeout): what it saw is from 0, and the open minute counts from then.
  const hung = breaker.execute(() => clock.sleep(15_000).then(() => { throw new Error('timeout'); }), () => true);
  hung.catch(() => undefined);
  await clock.advance(15_000);
  await assert.rejects(hung, /timeout/);
  await clock.advance(1_000);
  await assert.rejects(breaker.execute(async () => 1, () => true), (e: unknown) => e instanceof BrokenCircuitError && e.failureSentAt === 0 && e.retryAtMs === 60_000);
});

test('breaker: calls that hung through an outage and fail after a later success carry stale news and do not open it again', async () => {
  const clock = new ManualClock(0);
  const breaker = new CircuitBreaker({ clock, threshold: 2, halfOpenAfterMs: 30_000 });
  const hung: (() => void)[] = [];
  const hang = () => breaker.execute(() => new Promise<never>((_, reject) => hung.push(() => reject(new Error('timeout')))), () => true);
  // The half-open probe and two ordinary calls hang; the circuit is then closed by a success elsewhere.
  const calls = [hang(), hang()];
  for (const c of calls) c.catch(() => undefined);
  breaker.recordSuccess();
  assert.equal(await breaker.execute(async () => 'ok', () => true), 'ok');
  for (const timeout of hung) timeout();
  for (const c of calls) await assert.rejects(c, /timeout/);
  assert.equal(breaker.state, 'closed', 'two failures, both stale');

  // Same for a half-open probe that hangs while a health probe closes the circuit.
  for (let i = 0; i < 2; i++) await assert.rejects(breaker.execute(async () => { throw new Error('503'); }, () => true));
  assert.equal(breaker.state, 'open');
  await clock.advance(30_000);
  hung.length = 0;
  const probe = hang();
  probe.catch(() => undefined);
  assert.equal(breaker.state, 'half-open');
  breaker.recordSuccess();
  hung[0]?.();
  await assert.rejects(probe, /timeout/);
  assert.equal(breaker.state, 'closed', 'the stale probe failure does not reopen it');
});

test('timeout: a hung operation is cut at the timeout of the injected clock', async () => {
  const clock = new ManualClock(0);
  const hung = withTimeout(clock, 15_000, undefined, (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('socket closed')))));
  hung.catch(() => undefined);
  await clock.advance(14_999);
  let settled = false;
  void hung.catch(() => (settled = true));
  await clock.advance(0);
  assert.equal(settled, false);
  await clock.advance(1);
  await assert.rejects(hung, (e: unknown) => e instanceof RequestTimeoutError && e.timeoutMs === 15_000);
  // A fast operation cancels its timer.
  assert.equal(await withTimeout(clock, 1000, undefined, async () => 'fast'), 'fast');
  assert.equal(clock.pending, 0);
});
