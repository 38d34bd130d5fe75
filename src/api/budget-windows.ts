/**
 * The windows of the API budget (RateLimiter): the minute, and how far into it an even spread of
 * its calls has got; the UTC day, and the error when its calls are used up.
 */
import { ApiRateLimitError } from './errors.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Calls of a minute's budget an even spread allows `elapsedMs` into the minute, one call of slack included. */
export function evenShare(perMinute: number, elapsedMs: number): number {
  return Math.min(perMinute, Math.ceil((perMinute * elapsedMs) / MINUTE) + 1);
}

/** When the even spread of the minute starting at `minuteStart` first allows more than `used` calls (the next minute at the latest). */
export function nextShareAt(perMinute: number, minuteStart: number, used: number): number {
  if (used >= perMinute) return minuteStart + MINUTE;
  return minuteStart + Math.floor((Math.max(0, used - 1) * MINUTE) / perMinute) + 1;
}

export function dayStart(now: number): number {
  return now - (now % DAY);
}

export function dailyLimitError(limit: number, now: number): ApiRateLimitError {
  const untilReset = dayStart(now) + DAY - now;
  const hours = Math.floor(untilReset / 3_600_000);
  const minutes = Math.ceil((untilReset % 3_600_000) / MINUTE);
  return new ApiRateLimitError(
    `The daily API budget of ${limit} calls (api.dailyLimit) is used up; it resets at 00:00 UTC, in ${hours} h ${minutes} min.`,
    { retryAfterMs: untilReset },
  );
}
