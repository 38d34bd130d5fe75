/**
 * What kind of failure an error is. The supervisor chooses its response from this:
 * a rate limit slows the limiter and does not count toward suspension, bad data never suspends,
 * a bug is reported loudly with its stack.
 */
export type FailureClass = 'db-locked' | 'db-down' | 'api-rate-limit' | 'api-down' | 'bad-data' | 'bug';

/** Base class of every error gtc raises on purpose; anything else is classified as a bug. */
export class GtcError extends Error {
  readonly failureClass: FailureClass;
  /**
   * This process refused the operation itself (e.g. its open circuit breaker): nothing reached
   * the dependency, so the failure is no news about it.
   */
  readonly refusedLocally: boolean;
  /**
   * When the dependency was seen failing (epoch ms): the failing request's send time, or when the
   * breaker that refused the call opened. A run may end long after — news of the dependency up
   * since then makes this failure old news. Undefined: when the error was thrown.
   */
  readonly seenAt: number | undefined;

  constructor(failureClass: FailureClass, message: string, options?: { cause?: unknown; refusedLocally?: boolean; seenAt?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.failureClass = failureClass;
    this.refusedLocally = options?.refusedLocally ?? false;
    this.seenAt = options?.seenAt;
  }
}

/** When a failure was seen (GtcError.seenAt), or `fallback` when the error does not say. */
export function failureSeenAt(error: unknown, fallback: number): number {
  return error instanceof GtcError && error.seenAt !== undefined ? Math.min(error.seenAt, fallback) : fallback;
}

/** Whether a failure is no news about the dependency (see GtcError.refusedLocally). */
export function refusedLocally(error: unknown): boolean {
  return error instanceof GtcError && error.refusedLocally;
}

/** The failure class of any thrown value: a GtcError says so itself, anything else is a bug. */
export function classifyFailure(error: unknown): FailureClass {
  return error instanceof GtcError ? error.failureClass : 'bug';
}

/** An error's message, never its stack, for one-line reports. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
