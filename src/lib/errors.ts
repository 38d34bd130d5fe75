/**
 * What kind of failure an error is. The supervisor chooses its response from this:
 * a rate limit slows the limiter and does not count toward suspension, bad data never suspends,
 * a bug is reported loudly with its stack.
 */
export type FailureClass = 'db-locked' | 'db-down' | 'api-rate-limit' | 'api-down' | 'bad-data' | 'bug';

/** Base class of every error gtc raises on purpose; anything else is classified as a bug. */
export class GtcError extends Error {
  readonly failureClass: FailureClass;

  constructor(failureClass: FailureClass, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.failureClass = failureClass;
  }
}

/** The failure class of any thrown value: a GtcError says so itself, anything else is a bug. */
export function classifyFailure(error: unknown): FailureClass {
  return error instanceof GtcError ? error.failureClass : 'bug';
}

/** An error's message, never its stack, for one-line reports. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
