import { GtcError } from '../lib/errors.ts';

/** Where an API error happened: the route template (`networks/{network}/pools`), never the key. */
export interface ApiErrorDetails {
  endpoint?: string;
  status?: number;
  cause?: unknown;
  /** No request went out: this process refused it itself (see GtcError.refusedLocally). */
  refusedLocally?: boolean;
  /** When the API was seen failing: the request's send time, or when the breaker opened (see GtcError.seenAt). */
  seenAt?: number;
}

/** The API answered 429 past the retry budget, or the daily budget is used up. */
export class ApiRateLimitError extends GtcError {
  readonly endpoint: string | undefined;
  readonly status: number | undefined;
  /** How long the API asked us to wait (Retry-After), when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, details: ApiErrorDetails & { retryAfterMs?: number } = {}) {
    super('api-rate-limit', message, { cause: details.cause });
    this.endpoint = details.endpoint;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/**
 * A call that may take only spare budget (the health probe) found none: the minute's budget,
 * shared with other processes, is used ahead of an even spread over the minute. Not news about
 * the API: the probe tries again at its next turn rather than wait for the next minute.
 */
export class NoSpareBudgetError extends GtcError {
  /** `retryAt`: when the limiter will have spare budget again (epoch ms), if known. */
  constructor(message: string, readonly retryAt?: number) {
    super('api-rate-limit', message);
  }
}

/**
 * A run's API call did not get budget before the run stopped starting calls (its time is used):
 * not sent, and the rest of the run's work waits for its next run. Contention, not an outage.
 */
export class StartByPassedError extends GtcError {
  constructor(readonly startBy: number) {
    super('api-rate-limit', `no API budget before ${new Date(startBy).toISOString()}, when this run stops starting calls; the rest of its work waits for the next run`);
  }
}

/** The API is unreachable: 5xx, network error, timeout, or the API circuit breaker is open. */
export class ApiUnavailableError extends GtcError {
  readonly endpoint: string | undefined;
  readonly status: number | undefined;
  /** `overtaken`: no answer yet, while a request sent later was answered after an outage (see ApiHttp). */
  readonly reason: 'server-error' | 'network' | 'timeout' | 'breaker-open' | 'overtaken';

  constructor(message: string, reason: ApiUnavailableError['reason'], details: ApiErrorDetails = {}) {
    super('api-down', message, { cause: details.cause, refusedLocally: details.refusedLocally ?? false, ...(details.seenAt === undefined ? {} : { seenAt: details.seenAt }) });
    this.reason = reason;
    this.endpoint = details.endpoint;
    this.status = details.status;
  }
}

/** A 4xx other than 404/429: gtc asked for something the API refuses, so it is a bug here. */
export class ApiRequestError extends GtcError {
  readonly endpoint: string | undefined;
  readonly status: number | undefined;

  constructor(message: string, details: ApiErrorDetails = {}) {
    super('bug', message, { cause: details.cause });
    this.endpoint = details.endpoint;
    this.status = details.status;
  }
}

/** A whole response could not be read (not JSON, wrong top-level shape). Single bad items are rejections instead. */
export class InvalidResponseError extends GtcError {
  readonly endpoint: string | undefined;

  constructor(message: string, details: ApiErrorDetails = {}) {
    super('bad-data', message, { cause: details.cause });
    this.endpoint = details.endpoint;
  }
}
