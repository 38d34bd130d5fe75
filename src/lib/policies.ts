/**
 * The one set of resilience policies, used by the API client and by database writes: per-call
 * timeout, retry with exponential backoff and full jitter, and a circuit breaker. cockatiel supplies the backoff sequence and the consecutive-failure
 * counter; cockatiel's own retry and breaker policies read Date.now/setTimeout, so the timing here
 * is done on an injectable Clock instead (tests run hours of backoff in milliseconds).
 */
import { CircuitState, ConsecutiveBreaker, ExponentialBackoff, fullJitterGenerator, type IBackoff } from 'cockatiel';
import { sleepOrWake, type Clock } from './clock.ts';
import { linkSignals } from './signals.ts';

export { CircuitState } from 'cockatiel';

/** Thrown (as the abort reason) when a request outlives its timeout. */
export class RequestTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no response within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

/**
 * Runs `fn` with a signal that aborts after `timeoutMs` of `clock` time (reason: RequestTimeoutError)
 * or when `outer` aborts (its reason). The timer is cancelled as soon as `fn` settles.
 */
export async function withTimeout<T>(clock: Clock, timeoutMs: number, outer: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const timer = new AbortController();
  const timeout = new AbortController();
  const linked = linkSignals(outer, timeout.signal);
  clock.sleep(timeoutMs, timer.signal).then(
    () => timeout.abort(new RequestTimeoutError(timeoutMs)),
    () => undefined,
  );
  try {
    return await fn(linked.signal);
  } catch (error) {
    // Whatever the aborted operation threw, a timeout is reported as one.
    if (linked.signal.reason instanceof RequestTimeoutError) throw linked.signal.reason;
    throw error;
  } finally {
    timer.abort();
    linked.release();
  }
}

export interface RetryOptions {
  clock: Clock;
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** No retry is started that would end later than this after the first attempt began. */
  maxTotalMs: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export interface RetryDecision {
  retry: boolean;
  /** The least delay before the next attempt (e.g. a Retry-After). */
  minDelayMs?: number;
  /** Retry at once, without backoff (the failure says nothing against the dependency). */
  immediate?: boolean;
}

/** Exponential backoff with full jitter, bounded in attempts and in total time. */
export class RetryPolicy {
  private readonly options: Required<RetryOptions>;

  constructor(options: RetryOptions) {
    this.options = { initialDelayMs: 500, maxDelayMs: 30_000, ...options };
  }

  /**
   * Runs `fn(attempt)` until it succeeds, `decide` says not to retry, or the attempts or time run
   * out; then the last error is thrown. `onRetry` is told before each wait.
   */
  async execute<T>(
    fn: (attempt: number) => Promise<T>,
    decide: (error: unknown) => RetryDecision,
    options: {
      signal?: AbortSignal;
      /** Asked before each wait: a signal that ends the wait early (the dependency was seen back), so the next attempt goes at once. */
      wake?: () => AbortSignal;
      onRetry?: (event: { attempt: number; delayMs: number; error: unknown }) => void;
    } = {},
  ): Promise<T> {
    const { clock, maxAttempts, maxTotalMs, initialDelayMs, maxDelayMs } = this.options;
    // maxAttempts may be Infinity: the total-time bound alone then ends the retries.
    const deadline = clock.now() + maxTotalMs;
    let backoff: IBackoff<unknown> = new ExponentialBackoff({ generator: fullJitterGenerator, initialDelay: initialDelayMs, maxDelay: maxDelayMs }).next();
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(attempt);
      } catch (error) {
        const decision = decide(error);
        if (!decision.retry || attempt >= maxAttempts || options.signal?.aborted) throw error;
        // Full jitter can draw 0: a backoff retry still waits 1 ms, so a zero time budget means no retry.
        const delayMs = decision.immediate ? 0 : Math.max(1, backoff.duration, decision.minDelayMs ?? 0);
        if (clock.now() + delayMs > deadline) throw error;
        options.onRetry?.({ attempt, delayMs, error });
        await this.wait(delayMs, options.signal, options.wake?.());
        if (!decision.immediate) backoff = backoff.next(undefined);
      }
    }
  }

  /** Sleeps `ms`, or less when `wake` fires; throws only when `signal` aborts. */
  private wait(ms: number, signal: AbortSignal | undefined, wake: AbortSignal | undefined): Promise<void> {
    return wake ? sleepOrWake(this.options.clock, ms, wake, signal) : this.options.clock.sleep(ms, signal);
  }
}

export type BreakerState = 'closed' | 'open' | 'half-open';

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

export interface CircuitBreakerOptions {
  clock: Clock;
  /** Consecutive failures that open the circuit. */
  threshold: number;
  /**
   * How long after the failing call was made (not after it failed) one probe is let through: a
   * call that waited out a lock or a timeout watched the dependency all that while.
   */
  halfOpenAfterMs: number;
  onStateChange?: (event: { from: BreakerState; to: BreakerState }) => void;
}

/** Raised by the breaker when it refuses a call; the caller maps it to its own error. */
export class BrokenCircuitError extends Error {
  /** `failureSentAt`: when the call whose failure opened the circuit was made (what it saw is that old). */
  constructor(readonly retryAtMs: number | null, readonly failureSentAt: number) {
    super(retryAtMs === null ? 'circuit is half-open and its one probe is in flight' : 'circuit is open');
    this.name = 'BrokenCircuitError';
  }
}

/**
 * Closed → open after `threshold` consecutive failures → after `halfOpenAfterMs`, half-open: ONE
 * probe goes through (everyone else is refused) → closed on its success, open again on failure.
 */
export class CircuitBreaker {
  private readonly counter: ConsecutiveBreaker;
  private current = CircuitState.Closed;
  /** When the call whose failure opened the circuit was made: the open period counts from it. */
  private openedBySentAt = 0;
  private probeInFlight = false;
  /** Counts successes: a call that fails after a later-started call succeeded carries stale news. */
  private successes = 0;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.counter = new ConsecutiveBreaker(options.threshold);
  }

  get state(): BreakerState {
    return STATE_NAMES[this.current];
  }

  /** Throws BrokenCircuitError when a call now would be refused (lets callers fail before queueing). */
  check(): void {
    if (this.current === CircuitState.Closed) return;
    if (this.current === CircuitState.Open && this.options.clock.now() - this.openedBySentAt < this.options.halfOpenAfterMs) {
      throw new BrokenCircuitError(this.openedBySentAt + this.options.halfOpenAfterMs, this.openedBySentAt);
    }
    if (this.probeInFlight) throw new BrokenCircuitError(null, this.openedBySentAt);
  }

  /**
   * A call made outside the breaker (a health probe) succeeded: the dependency answers, so the
   * circuit closes as if its half-open probe had passed.
   */
  recordSuccess(): void {
    this.onSuccess();
  }

  /**
   * Runs `fn` through the breaker. Only errors for which `isFailure` is true count against it, and
   * only when nothing succeeded while `fn` ran: requests that hung through an outage time out after
   * the dependency is back, and counting them would open the circuit again on stale news.
   */
  async execute<T>(fn: () => Promise<T>, isFailure: (error: unknown) => boolean): Promise<T> {
    this.check();
    const probe = this.current !== CircuitState.Closed;
    if (probe) {
      this.transition(CircuitState.HalfOpen);
      this.probeInFlight = true;
    }
    const successesBefore = this.successes;
    const sentAt = this.options.clock.now();
    try {
      const result = await fn();
      this.onSuccess();
      return result;
    } catch (error) {
      if (!isFailure(error)) this.onSuccess();
      else if (this.successes === successesBefore) this.onFailure(probe, sentAt);
      throw error;
    } finally {
      if (probe) this.probeInFlight = false;
    }
  }

  private onSuccess(): void {
    this.successes += 1;
    this.counter.success();
    if (this.current !== CircuitState.Closed) this.transition(CircuitState.Closed);
  }

  private onFailure(probe: boolean, sentAt: number): void {
    const open = this.counter.failure();
    if (probe || (open && this.current === CircuitState.Closed)) {
      this.openedBySentAt = sentAt;
      this.transition(CircuitState.Open);
    }
  }

  private transition(to: CircuitState): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.options.onStateChange?.({ from: STATE_NAMES[from], to: STATE_NAMES[to] });
  }
}
