/**
 * The health state machine of one collector instance. Pure: it is told what happened and when,
 * and answers with the transition (if any) and what to do next; the instance runner does it.
 *
 *   healthy ──failure──▶ degraded ──threshold reached──▶ suspended ──probe passes──▶ healthy
 *      ▲                    │ retry after 2 s, 4 s, 8 s… (capped)     │ probe every probeInterval
 *      └──────success───────┘                                         ▼ probe fails: stay
 *   disabled: only a person sets or clears it.
 */
import type { FailureClass } from '../lib/errors.ts';
import { retryDelay } from './backoff.ts';

export type HealthState = 'healthy' | 'degraded' | 'suspended' | 'disabled';

export const HEALTH_STATES: readonly HealthState[] = ['healthy', 'degraded', 'suspended', 'disabled'];

export interface RecoveryPolicy {
  failureThreshold: number;
  /** [first retry delay, cap] in ms. */
  retryBackoff: readonly [number, number];
  probeInterval: number;
  /**
   * Longest probe delay after resumes that failed again (default: the retry cap). Setting it to
   * probeInterval gives a fixed cooldown — how the bench configures the old behaviour.
   */
  maxProbeDelay?: number;
}

export interface Transition {
  instance: string;
  from: HealthState;
  to: HealthState;
  reason: string;
  /** Epoch ms of the injected clock. */
  at: number;
}

/** What the runner does next: run the collector, or probe its dependency, at a given time. */
export type NextStep = { action: 'run'; at: number } | { action: 'probe'; at: number };

export interface HealthSnapshot {
  state: HealthState;
  /** Failures since the last successful run, of any class. */
  consecutiveFailures: number;
  /** Of those, the ones whose class counts toward suspension. */
  countedFailures: number;
  lastError: string | null;
  lastFailureClass: FailureClass | null;
}

/**
 * Which failure classes count toward suspension. A rate limit is already handled by the limiter
 * slowing down; bad data will not be cured by waiting, so neither suspends. A bug counts: a
 * collector that throws on every run must stop hammering and be probed instead.
 */
export function countsTowardSuspension(failureClass: FailureClass): boolean {
  return failureClass !== 'api-rate-limit' && failureClass !== 'bad-data';
}

export class Supervisor {
  private current: HealthSnapshot;
  /** Runs that failed right after a passing probe: each doubles the next probe delay. */
  private failedResumes = 0;
  private justResumed = false;

  constructor(
    readonly instance: string,
    private readonly policy: RecoveryPolicy,
    initial?: Partial<HealthSnapshot>,
  ) {
    this.current = {
      state: initial?.state ?? 'healthy',
      consecutiveFailures: initial?.consecutiveFailures ?? 0,
      countedFailures: initial?.countedFailures ?? initial?.consecutiveFailures ?? 0,
      lastError: initial?.lastError ?? null,
      lastFailureClass: initial?.lastFailureClass ?? null,
    };
  }

  get state(): HealthState {
    return this.current.state;
  }

  snapshot(): HealthSnapshot {
    return { ...this.current };
  }

  /** A run finished successfully: healthy again, every counter reset. */
  succeeded(at: number): Transition | undefined {
    this.failedResumes = 0;
    this.justResumed = false;
    this.current = { ...this.current, consecutiveFailures: 0, countedFailures: 0, lastError: null, lastFailureClass: null };
    return this.moveTo('healthy', 'run succeeded', at);
  }

  /** A run failed: degraded and retried after a short backoff, or suspended at the threshold. */
  failed(at: number, failureClass: FailureClass, message: string): { transition?: Transition; next: NextStep } {
    const counts = countsTowardSuspension(failureClass);
    this.current = {
      ...this.current,
      consecutiveFailures: this.current.consecutiveFailures + 1,
      countedFailures: this.current.countedFailures + (counts ? 1 : 0),
      lastError: message,
      lastFailureClass: failureClass,
    };
    if (this.justResumed && counts) this.failedResumes += 1;
    this.justResumed = false;
    const reason = `${failureClass}: ${message}`;
    if (counts && this.current.countedFailures >= this.policy.failureThreshold) {
      const transition = this.moveTo('suspended', reason, at);
      return { transition, next: { action: 'probe', at: at + this.probeDelay() } };
    }
    const transition = this.moveTo('degraded', reason, at);
    return { transition, next: { action: 'run', at: at + retryDelay(this.current.consecutiveFailures, this.policy.retryBackoff) } };
  }

  /**
   * A probe of a suspended instance's dependency, sent at `sentAt` and answered at `at`: passing
   * resumes it at once. A failing one is followed a probe delay after it was sent: a probe that
   * waited (on a lock, for a timeout) watched the dependency all that while, and waiting the whole
   * delay again would leave the end of a 30 s lock unseen for up to 5 s.
   */
  probed(at: number, passed: boolean, detail: string, sentAt = at): { transition?: Transition; next: NextStep } {
    if (this.current.state !== 'suspended') return { next: { action: 'run', at } };
    if (!passed) {
      this.current = { ...this.current, lastError: detail };
      return { next: { action: 'probe', at: Math.max(at, sentAt + this.probeDelay()) } };
    }
    this.justResumed = true;
    const transition = this.moveTo('healthy', `probe passed${detail ? `: ${detail}` : ''}`, at);
    return { transition, next: { action: 'run', at } };
  }

  /** A person disabled the instance (`gtc collector disable`). */
  disable(at: number, reason = 'disabled by an operator'): Transition | undefined {
    return this.moveTo('disabled', reason, at);
  }

  /** A person enabled it again: a fresh start, counters reset. */
  enable(at: number, reason = 'enabled by an operator'): Transition | undefined {
    if (this.current.state !== 'disabled') return undefined;
    this.failedResumes = 0;
    this.justResumed = false;
    this.current = { ...this.current, consecutiveFailures: 0, countedFailures: 0 };
    return this.moveTo('healthy', reason, at);
  }

  /** Probe cadence; after runs that failed right after a passing probe it backs off, up to the cap. */
  private probeDelay(): number {
    const base = this.policy.probeInterval;
    if (this.failedResumes === 0) return base;
    const cap = Math.max(base, this.policy.maxProbeDelay ?? this.policy.retryBackoff[1]);
    return Math.min(base * 2 ** Math.min(this.failedResumes, 30), cap);
  }

  private moveTo(to: HealthState, reason: string, at: number): Transition | undefined {
    const from = this.current.state;
    if (from === to) return undefined;
    this.current = { ...this.current, state: to };
    return { instance: this.instance, from, to, reason, at };
  }
}
