/**
 * The one retry + circuit-breaker policy of database writes (both dialects).
 *
 * - Retryable: SQLite BUSY/LOCKED (every extended code: *_SNAPSHOT, *_RECOVERY, *_TIMEOUT, ...)
 *   and I/O-level errors; PostgreSQL 40001/40P01/55P03 and dropped or refused connections.
 * - Backoff: exponential with FULL jitter (cockatiel's fullJitterGenerator), sleeping on the
 *   injectable Clock, bounded by a total wait budget (maxRetryWaitMs).
 * - Breaker: cockatiel ConsecutiveBreaker over single attempts; while half-open exactly one
 *   attempt probes the database and the others wait for its outcome. While open, attempts fail
 *   fast and the write keeps backing off inside its budget, so a short outage delays a write but
 *   does not lose it. Note: cockatiel times the half-open delay with Date.now(), not the Clock.
 * - Anything else (constraint violations, bad data, bugs in the callback) is rethrown at once,
 *   untouched, and does not count toward the breaker.
 */
import {
  BrokenCircuitError, CircuitState, ConsecutiveBreaker, ExponentialBackoff, circuitBreaker,
  fullJitterGenerator, handleWhen, type CircuitBreakerPolicy, type IBackoff,
} from 'cockatiel';
import type { Clock } from '../lib/clock.ts';
import { GtcError, errorMessage } from '../lib/errors.ts';

export type DbFailureClass = 'db-locked' | 'db-down';
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface RetryEvent {
  attempt: number;
  delayMs: number;
  error: unknown;
  failureClass: DbFailureClass;
}

export interface WriteHooks {
  onRetry?(event: RetryEvent): void;
  /** Time from a write's request to holding the write lock (SQLite BEGIN IMMEDIATE, PG BEGIN). */
  onLockWait?(ms: number): void;
  onBreakerStateChange?(state: BreakerState): void;
  onCommit?(event: { durationMs: number; attempts: number; label?: string }): void;
}

export interface WritePolicyOptions {
  clock: Clock;
  maxRetryWaitMs: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  breakerThreshold: number;
  breakerHalfOpenAfterMs: number;
  hooks?: WriteHooks;
}

const PG_LOCKED = new Set(['40001', '40P01', '55P03']);
const PG_DOWN = new Set(['57P01', '57P02', '57P03', '53300', '53100', '58000', '58030']);
const NODE_DOWN = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const SQLITE_DOWN = /^SQLITE_(IOERR|FULL|CANTOPEN|PROTOCOL|NOLFS)/;

/** The failure class of a database error that is worth retrying, or undefined for any other error. */
export function classifyDbError(error: unknown): DbFailureClass | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'db-locked';
    if (SQLITE_DOWN.test(code)) return 'db-down';
    if (PG_LOCKED.has(code)) return 'db-locked';
    if (PG_DOWN.has(code) || code.startsWith('08') || NODE_DOWN.has(code)) return 'db-down';
  }
  const message = errorMessage(error);
  if (/Connection terminated|connection is closed|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(message)) return 'db-down';
  return undefined;
}

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

export class WritePolicy {
  private readonly breaker: CircuitBreakerPolicy;
  private readonly backoff: ExponentialBackoff<unknown>;
  /** Class of the most recent database failure: what an open breaker reports. */
  private lastFailureClass: DbFailureClass = 'db-down';

  constructor(private readonly options: WritePolicyOptions) {
    this.breaker = circuitBreaker(handleWhen((error) => classifyDbError(error) !== undefined), {
      halfOpenAfter: options.breakerHalfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
    });
    this.breaker.onStateChange((state) => options.hooks?.onBreakerStateChange?.(STATES[state]));
    this.backoff = new ExponentialBackoff({
      generator: fullJitterGenerator,
      initialDelay: Math.max(1, options.retryBaseDelayMs),
      maxDelay: Math.max(1, options.retryMaxDelayMs),
    });
  }

  get breakerState(): BreakerState {
    return STATES[this.breaker.state];
  }

  /**
   * Runs `attempt` until it succeeds, a non-database error is thrown, or the retry budget is
   * spent (then a GtcError 'db-locked' or 'db-down'). `attempt` must be safe to run again:
   * each try is a whole transaction that was rolled back.
   */
  async execute<T>(attempt: (attemptNo: number) => Promise<T>, label = 'write'): Promise<{ value: T; attempts: number }> {
    const { clock, maxRetryWaitMs, hooks } = this.options;
    const started = clock.now();
    let delays: IBackoff<unknown> | undefined;
    for (let attemptNo = 1; ; attemptNo++) {
      try {
        const value = await this.breaker.execute(() => attempt(attemptNo));
        return { value, attempts: attemptNo };
      } catch (error) {
        const open = error instanceof BrokenCircuitError;
        const failureClass = open ? this.lastFailureClass : classifyDbError(error);
        if (!failureClass) throw error;
        if (!open) this.lastFailureClass = failureClass;
        delays = delays ? delays.next(undefined) : this.backoff.next();
        const delayMs = delays.duration;
        const elapsed = clock.now() - started;
        if (elapsed + delayMs > maxRetryWaitMs) {
          const why = open ? 'the database circuit breaker is open' : errorMessage(error);
          throw new GtcError(
            failureClass,
            `${label} failed after ${attemptNo} attempt(s) in ${Math.round(elapsed)} ms: ${why} (${failureClass === 'db-locked' ? 'database is locked or busy' : 'database is unreachable'})`,
            { cause: error },
          );
        }
        hooks?.onRetry?.({ attempt: attemptNo, delayMs, error, failureClass });
        await clock.sleep(delayMs);
      }
    }
  }
}
