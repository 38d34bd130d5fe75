import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryDelay } from '../../src/runtime/backoff.ts';
import { Supervisor, type RecoveryPolicy } from '../../src/runtime/supervisor.ts';

const policy: RecoveryPolicy = { failureThreshold: 3, retryBackoff: [2_000, 60_000], probeInterval: 5_000 };

describe('retry backoff', () => {
  it('doubles from the base and stops at the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 50].map((n) => retryDelay(n, [2_000, 60_000]));
    assert.deepEqual(delays, [2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });
});

describe('supervisor state machine', () => {
  it('degrades on the first failure and retries after 2 s, then 4 s — not at the next slot', () => {
    const s = new Supervisor('top-pools:solana', policy);
    const first = s.failed(1_000, 'db-locked', 'database is locked');
    assert.deepEqual(first.transition, { instance: 'top-pools:solana', from: 'healthy', to: 'degraded', reason: 'db-locked: database is locked', at: 1_000 });
    assert.deepEqual(first.next, { action: 'run', at: 3_000 });
    const second = s.failed(3_500, 'db-locked', 'database is locked');
    assert.equal(second.transition, undefined, 'degraded → degraded is not a transition');
    assert.deepEqual(second.next, { action: 'run', at: 7_500 });
    assert.equal(s.snapshot().consecutiveFailures, 2);
  });

  it('suspends after the threshold of counted failures and probes every probeInterval', () => {
    const s = new Supervisor('x', policy);
    s.failed(0, 'db-down', 'a');
    s.failed(2_000, 'db-down', 'b');
    const third = s.failed(6_000, 'api-down', 'c');
    assert.equal(third.transition?.to, 'suspended');
    assert.deepEqual(third.next, { action: 'probe', at: 11_000 });
    const failing = s.probed(11_000, false, 'still down');
    assert.equal(failing.transition, undefined);
    assert.deepEqual(failing.next, { action: 'probe', at: 16_000 });
    const passing = s.probed(16_000, true, '');
    assert.deepEqual(passing.transition, { instance: 'x', from: 'suspended', to: 'healthy', reason: 'probe passed', at: 16_000 });
    assert.deepEqual(passing.next, { action: 'run', at: 16_000 }, 'runs at once after a passing probe');
    assert.equal(s.succeeded(16_500), undefined, 'already healthy');
    assert.equal(s.snapshot().consecutiveFailures, 0);
  });

  it('follows a failing probe a probe interval after it was sent: one that waited on a lock watched it meanwhile', () => {
    const s = new Supervisor('x', policy);
    for (const at of [0, 2_000, 6_000]) s.failed(at, 'db-locked', 'database is locked');
    // Sent at 11 s, answered at 16 s (5 s in the busy handler): the next goes at once.
    assert.deepEqual(s.probed(16_000, false, 'database is locked', 11_000).next, { action: 'probe', at: 16_000 });
    // Sent at 16 s, refused at once: the next waits the whole interval, as before.
    assert.deepEqual(s.probed(16_010, false, 'database is locked', 16_000).next, { action: 'probe', at: 21_000 });
  });

  it('a run failing right after a resume suspends again and backs the probes off', () => {
    const s = new Supervisor('x', policy);
    for (const at of [0, 2_000, 6_000]) s.failed(at, 'bug', 'TypeError');
    s.probed(11_000, true, '');
    const again = s.failed(11_100, 'bug', 'TypeError');
    assert.equal(again.transition?.to, 'suspended');
    assert.deepEqual(again.next, { action: 'probe', at: 11_100 + 10_000 });
    s.probed(21_100, true, '');
    assert.deepEqual(s.failed(21_200, 'bug', 'TypeError').next, { action: 'probe', at: 21_200 + 20_000 });
  });

  it('maxProbeDelay = probeInterval gives a fixed cooldown (the old behaviour, for the baseline)', () => {
    const s = new Supervisor('x', { failureThreshold: 5, retryBackoff: [300_000, 300_000], probeInterval: 60_000, maxProbeDelay: 60_000 });
    for (let i = 0; i < 5; i++) s.failed(i, 'db-locked', 'x');
    for (let i = 0; i < 3; i++) {
      s.probed(1_000 * i, true, '');
      assert.deepEqual(s.failed(1_000 * i, 'db-locked', 'x').next, { action: 'probe', at: 1_000 * i + 60_000 });
    }
  });

  it('never suspends on rate limits or bad data, but keeps backing off', () => {
    const s = new Supervisor('x', policy);
    let at = 0;
    for (let i = 0; i < 10; i++) {
      const { next } = s.failed(at, i % 2 ? 'api-rate-limit' : 'bad-data', 'x');
      assert.equal(s.state, 'degraded');
      assert.equal(next.action, 'run');
      at = next.at;
    }
    assert.equal(s.snapshot().consecutiveFailures, 10);
    assert.equal(s.snapshot().countedFailures, 0);
    assert.equal(s.failed(at, 'db-locked', 'x').next.at - at, 60_000, 'capped');
  });

  it('rate limits between counted failures do not push it over the threshold', () => {
    const s = new Supervisor('x', policy);
    s.failed(0, 'db-locked', 'x');
    s.failed(1, 'api-rate-limit', 'x');
    s.failed(2, 'db-locked', 'x');
    s.failed(3, 'api-rate-limit', 'x');
    assert.equal(s.state, 'degraded');
    assert.equal(s.failed(4, 'db-locked', 'x').transition?.to, 'suspended');
  });

  it('a person disables and enables; enabling is a fresh start', () => {
    const s = new Supervisor('x', policy, { state: 'suspended', consecutiveFailures: 4 });
    assert.deepEqual(s.disable(5), { instance: 'x', from: 'suspended', to: 'disabled', reason: 'disabled by an operator', at: 5 });
    assert.equal(s.disable(6), undefined);
    assert.equal(s.enable(7)?.to, 'healthy');
    assert.equal(s.snapshot().consecutiveFailures, 0);
    assert.equal(s.enable(8), undefined);
  });

  it('resumes from persisted counters after a restart', () => {
    const s = new Supervisor('x', policy, { state: 'degraded', consecutiveFailures: 2 });
    assert.equal(s.failed(0, 'db-down', 'x').transition?.to, 'suspended');
  });
});
