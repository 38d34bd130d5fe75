/** The write policy's decisions: what is retried, how long it waits, when the breaker opens. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/lib/clock.ts';
import { GtcError } from '../../src/lib/errors.ts';
import { classifyDbError, WritePolicy, type BreakerState, type RetryEvent } from '../../src/store/write-policy.ts';

function dbError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

/** Settles `promise` while moving the manual clock from one sleeper to the next. */
async function withClock<T>(clock: ManualClock, promise: Promise<T>): Promise<T> {
  let settled = false;
  const tracked = promise.finally(() => (settled = true));
  tracked.catch(() => undefined);
  while (!settled) if (!(await clock.tick())) await new Promise((r) => setImmediate(r));
  return tracked;
}

function policy(clock: ManualClock, overrides: Partial<ConstructorParameters<typeof WritePolicy>[0]> = {}) {
  const retries: RetryEvent[] = [];
  const states: BreakerState[] = [];
  const p = new WritePolicy({
    clock, maxRetryWaitMs: 30_000, retryBaseDelayMs: 20, retryMaxDelayMs: 2000, breakerThreshold: 5, breakerHalfOpenAfterMs: 60_000,
    hooks: { onRetry: (e) => retries.push(e), onBreakerStateChange: (s) => states.push(s) },
    ...overrides,
  });
  return { p, retries, states };
}

test('classifies busy/locked/serialization as db-locked, lost connections as db-down, the rest as not retryable', () => {
  for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY', 'SQLITE_LOCKED', 'SQLITE_LOCKED_SHAREDCACHE', '40001', '40P01']) {
    assert.equal(classifyDbError(dbError(code)), 'db-locked', code);
  }
  for (const code of ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', '08006', '08001', 'SQLITE_IOERR_WRITE', 'SQLITE_FULL']) {
    assert.equal(classifyDbError(dbError(code)), 'db-down', code);
  }
  assert.equal(classifyDbError(new Error('Connection terminated unexpectedly')), 'db-down');
  for (const error of [dbError('SQLITE_CONSTRAINT_PRIMARYKEY'), dbError('23505'), new Error('boom'), new GtcError('bad-data', 'x'), 'text', null]) {
    assert.equal(classifyDbError(error), undefined);
  }
});

test('retries with exponential full-jitter delays until the attempt succeeds', async () => {
  const clock = new ManualClock();
  const { p, retries } = policy(clock, { breakerThreshold: 10 });
  let calls = 0;
  const result = await withClock(clock, p.execute(async (n) => {
    calls++;
    if (n < 6) throw dbError('SQLITE_BUSY');
    return 'done';
  }));
  assert.deepEqual(result, { value: 'done', attempts: 6 });
  assert.equal(calls, 6);
  assert.deepEqual(retries.map((r) => r.attempt), [1, 2, 3, 4, 5]);
  retries.forEach((r, i) => {
    assert.equal(r.failureClass, 'db-locked');
    assert.ok(r.delayMs >= 0 && r.delayMs < Math.min(2000, 20 * 2 ** i), `delay ${i}: ${r.delayMs}`);
  });
});

test('a spent retry budget ends in GtcError db-locked without waiting past it', async () => {
  const clock = new ManualClock();
  const { p } = policy(clock, { maxRetryWaitMs: 5000, breakerThreshold: 1000 });
  const started = clock.now();
  await assert.rejects(
    withClock(clock, p.execute(async () => { throw dbError('SQLITE_BUSY'); }, 'pools page')),
    (error) => error instanceof GtcError && error.failureClass === 'db-locked' && /^pools page failed after \d+ attempt/.test(error.message),
  );
  assert.ok(clock.now() - started <= 5000);
});

test('errors that are not about the database are thrown at once and do not count toward the breaker', async () => {
  const clock = new ManualClock();
  const { p, retries } = policy(clock, { breakerThreshold: 1 });
  const boom = new Error('boom');
  for (let i = 0; i < 3; i++) await assert.rejects(p.execute(async () => { throw boom; }), (e) => e === boom);
  assert.equal(retries.length, 0);
  assert.equal(p.breakerState, 'closed');
});

test('the breaker opens after consecutive failures, then fails fast with the last cause class', async () => {
  const clock = new ManualClock();
  const { p, states } = policy(clock, { breakerThreshold: 3, maxRetryWaitMs: 10_000 });
  let calls = 0;
  await assert.rejects(
    withClock(clock, p.execute(async () => { calls++; throw dbError('ECONNREFUSED'); })),
    (error) => error instanceof GtcError && error.failureClass === 'db-down' && /circuit breaker is open/.test(error.message),
  );
  assert.equal(calls, 3, 'no attempt reaches the database while the breaker is open');
  assert.deepEqual(states, ['open']);
  assert.equal(p.breakerState, 'open');
});

test('after halfOpenAfter (on the injected clock) one probe runs; the others back off, then succeed once it closes', async () => {
  const clock = new ManualClock();
  const { p, states } = policy(clock, { breakerThreshold: 1, breakerHalfOpenAfterMs: 30_000, maxRetryWaitMs: 0 });
  await assert.rejects(p.execute(async () => { throw dbError('SQLITE_BUSY'); }), (e) => e instanceof GtcError && e.failureClass === 'db-locked');
  assert.equal(p.breakerState, 'open');
  await clock.advance(29_000);
  await assert.rejects(p.execute(async () => 0), (e) => e instanceof GtcError && /circuit breaker is open/.test(e.message), 'still open before halfOpenAfter');
  await clock.advance(1_000);

  const patient = policy(clock, { breakerThreshold: 1, breakerHalfOpenAfterMs: 30_000, maxRetryWaitMs: 10_000 });
  await assert.rejects(withClock(clock, patient.p.execute(async () => { throw dbError('SQLITE_BUSY'); }, 'first')), GtcError);
  await clock.advance(30_000);
  // Either write may be the one let through half-open: both wait on one release, so whichever goes
  // first holds the probe until the assertion below, and the other is refused meanwhile.
  let probes = 0;
  let release: () => void = () => undefined;
  const released = new Promise<void>((r) => (release = r));
  const first = patient.p.execute(async () => { probes++; await released; return 1; });
  const second = patient.p.execute(async () => { probes++; await released; return 2; });
  await clock.advance(0);
  assert.equal(probes, 1, 'only the probe reaches the database while half-open');
  release();
  const both = await withClock(clock, Promise.all([first, second]));
  assert.deepEqual(both.map((b) => b.value), [1, 2]);
  assert.equal(probes, 2, 'the other write ran after the probe closed the breaker');
  assert.deepEqual(both.map((b) => b.attempts >= 2).sort(), [false, true], 'the probe went at once; the other was refused once and retried');
  assert.deepEqual(patient.states, ['open', 'half-open', 'closed']);
  assert.deepEqual(states, ['open']);
});

test('the database seen up outside a write (a passing probe) closes the breaker and ends the retry waits at once', async () => {
  const clock = new ManualClock();
  const { p, states } = policy(clock, { breakerThreshold: 2, breakerHalfOpenAfterMs: 5_000, retryBaseDelayMs: 10_000, retryMaxDelayMs: 10_000, maxRetryWaitMs: 120_000 });
  let up = false;
  let attempts = 0;
  const write = p.execute(async () => {
    attempts++;
    if (!up) throw dbError('ECONNREFUSED');
    return 'written';
  });
  write.catch(() => undefined);
  // Two refused attempts open the breaker; the write then waits in its backoff (up to 10 s).
  while (attempts < 2) await clock.tick();
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  assert.equal(p.breakerState, 'open');
  assert.equal(p.breakerOpenOn, 'db-down');
  const waitingSince = clock.now();
  up = true;
  p.noteDatabaseUp();
  assert.equal(p.breakerState, 'closed');
  assert.equal(p.breakerOpenOn, null);
  assert.deepEqual((await write).value, 'written');
  assert.equal(clock.now(), waitingSince, 'retried without waiting out the backoff');
  assert.deepEqual(states, ['open', 'closed']);
});
