/**
 * Database writes through the shared policies of src/lib/policies.ts (both dialects).
 *
 * - Retryable: SQLite BUSY/LOCKED (every extended code: *_SNAPSHOT, *_RECOVERY, *_TIMEOUT, ...)
 *   and I/O-level errors; PostgreSQL 40001/40P01/55P03 and dropped or refused connections.
 * - Backoff: exponential with full jitter on the injectable Clock, bounded by a total wait budget
 *   (maxRetryWaitMs) rather than a number of attempts.
 * - Breaker: opens after consecutive failed attempts; while half-open exactly one attempt probes
 *   the database and the others are refused and back off. While open, attempts fail fast and the
 *   write keeps backing off inside its budget, so a short outage delays a write but does not lose it.
 *   A passing probe of the database (Store.probe) closes it and ends the writes' retry waits.
 * - Anything else (constraint violations, bad data, bugs in the callback) is rethrown at once,
 *   untouched, and does not count toward the breaker.
 */
import type { Clock } from '../lib/clock.ts';
import { GtcError, errorMessage } from '../lib/errors.ts';
import { BrokenCircuitError, CircuitBreaker, RetryPolicy, type BreakerState } from '../lib/policies.ts';

export type { BreakerState } from '../lib/policies.ts';
export type DbFailureClass = 'db-locked' | 'db-down';

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

export class WritePolicy {
  private readonly breaker: CircuitBreaker;
  private readonly retry: RetryPolicy;
  /** Class of the most recent database failure: what an open breaker reports. */
  private lastFailureClass: DbFailureClass = 'db-down';
  /** Aborted (and replaced) when the database is seen up outside a write: retry waits end there. */
  private back = new AbortController();

  constructor(private readonly options: WritePolicyOptions) {
    this.breaker = new CircuitBreaker({
      clock: options.clock,
      threshold: options.breakerThreshold,
      halfOpenAfterMs: options.breakerHalfOpenAfterMs,
      onStateChange: ({ to }) => options.hooks?.onBreakerStateChange?.(to),
    });
    this.retry = new RetryPolicy({
      clock: options.clock,
      maxAttempts: Number.POSITIVE_INFINITY,
      maxTotalMs: options.maxRetryWaitMs,
      initialDelayMs: Math.max(1, options.retryBaseDelayMs),
      maxDelayMs: Math.max(1, options.retryMaxDelayMs),
    });
  }

  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  /** Why the breaker is not closed (the last failure's class), or null when it is closed. */
  get breakerOpenOn(): DbFailureClass | null {
    return this.breaker.state === 'closed' ? null : this.lastFailureClass;
  }

  /**
   * The database answered outside a write (a passing probe took and released the write lock): the
   * breaker closes and writes waiting to retry go now, not after their backoff or the half-open time.
   */
  noteDatabaseUp(): void {
    this.breaker.recordSuccess();
    const back = this.back;
    this.back = new AbortController();
    back.abort();
  }

  /**
   * Runs `attempt` until it succeeds, a non-database error is thrown, or the retry budget is
   * spent (then a GtcError 'db-locked' or 'db-down'). `attempt` must be safe to run again:
   * each try is a whole transaction that was rolled back.
   */
  async execute<T>(attempt: (attemptNo: number) => Promise<T>, label = 'write'): Promise<{ value: T; attempts: number }> {
    const { clock, hooks } = this.options;
    const started = clock.now();
    let attempts = 0;
    try {
      const value = await this.retry.execute(
        (attemptNo) => {
          attempts = attemptNo;
          return this.breaker.execute(() => attempt(attemptNo), (error) => classifyDbError(error) !== undefined);
        },
        (error) => ({ retry: this.failureClassOf(error) !== undefined }),
        {
          wake: () => this.back.signal,
          onRetry: (event) => hooks?.onRetry?.({ ...event, failureClass: this.failureClassOf(event.error) ?? 'db-down' }),
        },
      );
      return { value, attempts };
    } catch (error) {
      const failureClass = this.failureClassOf(error);
      if (!failureClass) throw error;
      const why = error instanceof BrokenCircuitError ? 'the database circuit breaker is open' : errorMessage(error);
      const what = failureClass === 'db-locked' ? 'database is locked or busy' : 'database is unreachable';
      throw new GtcError(failureClass, `${label} failed after ${attempts} attempt(s) in ${Math.round(clock.now() - started)} ms: ${why} (${what})`, { cause: error });
    }
  }

  /** The class of a retryable failure (an open breaker reports the last cause), else undefined. */
  private failureClassOf(error: unknown): DbFailureClass | undefined {
    if (error instanceof BrokenCircuitError) return this.lastFailureClass;
    const failureClass = classifyDbError(error);
    if (failureClass) this.lastFailureClass = failureClass;
    return failureClass;
  }
}
