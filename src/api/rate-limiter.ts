/**
 * The one API rate limiter of a process: every request of every collector waits here, in FIFO
 * order, for a token of a token bucket (default 30/min, burst 1), then for a call from the
 * minute and day budgets of a BudgetStore (shared through the database when several processes
 * share one IP). A 429 halves the rate (AdaptiveRate), for the IP as a whole, and, with
 * Retry-After, blocks every call until then (or until a later call is answered); after a 429
 * storm the full rate is back within a few answered calls, not minutes. At the lowered rate the
 * storm is asked every 60/(rate/2) s — 4 s at 30/min — whether it is over; a refused call is given
 * back to the shared minute. After an outage or a storm of a minute or more, the calls it held
 * back go back to back (onApiBack).
 */
import type { Clock } from '../lib/clock.ts';
import { sleepOrWake, systemClock } from '../lib/clock.ts';
import { AdaptiveRate, type AdaptiveRateOptions } from './adaptive-rate.ts';
import { MemoryBudgetStore, type BudgetStore } from './budget-store.ts';
import { dailyLimitError } from './budget-windows.ts';
import { ApiRateLimitError, NoSpareBudgetError, StartByPassedError } from './errors.ts';
import { SharedBudget } from './shared-budget.ts';
import { linkSignals } from '../lib/signals.ts';

const MINUTE = 60_000;
/** While the rate recovers, the pump re-reads it at least this often, so recovery is not overslept. */
const MAX_SLEEP_MS = 1_000;
/**
 * After an outage of at least the server's window (a minute), the calls it held back may go back
 * to back for this long: the runs it suspended resume within moments of the news and queue here.
 */
const CATCH_UP_MS = 10_000;

export interface RateLimiterOptions extends Omit<AdaptiveRateOptions, 'configured'> {
  requestsPerMinute?: number;
  /** Tokens the bucket holds: calls that may go out back to back after a quiet spell. */
  burst?: number;
  dailyLimit?: number;
  clock?: Clock;
  budgetStore?: BudgetStore;
  /** Key of the shared budget (`api.budgetKey`). */
  budgetKey?: string;
  /**
   * Extra time per minute of rate (default 250 ms): the server counts arrivals, we count departures,
   * and latency varies; without it the (rate+1)-th call can land inside the server's 60 s window.
   */
  marginMs?: number;
  /** Called when a caller gets its turn: how long it queued and how many still wait. */
  onAcquire?: (event: { waitedMs: number; queueLength: number }) => void;
}

export interface RateLimiterState {
  queueLength: number;
  /** Current allowed rate, lowered after 429s. */
  requestsPerMinute: number;
  configuredRequestsPerMinute: number;
  /** Calls left today (UTC), as last reported by the budget store. */
  remainingDaily: number;
  dailyLimit: number;
  /** No call goes out before this time (epoch ms; a Retry-After), or null. */
  blockedUntil: number | null;
}

interface Waiter {
  enqueuedAt: number;
  /** Served before every waiter that is not (see acquire). */
  first: boolean;
  /** Takes only spare budget: rejected rather than kept waiting for the next minute (see acquire). */
  spare: boolean;
  resolve: (waitedMs: number) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class RateLimiter {
  private readonly configured: number;
  private readonly burst: number;
  private readonly clock: Clock;
  private readonly budget: SharedBudget;
  private readonly adaptive: AdaptiveRate;
  /** The bucket refills `rate` tokens per this many ms (a minute plus the margin). */
  private readonly period: number;
  private readonly options: RateLimiterOptions;

  private readonly queue: Waiter[] = [];
  /** Aborted to end the pump's sleep early (the rate came back after a storm). */
  private nudge = new AbortController();
  private pumping = false;
  private tokens: number;
  private lastRefill: number;
  /** No call before this: the server's Retry-After. */
  private blockedUntil = 0;
  /** Send time of the refused call whose Retry-After set blockedUntil: an answer to a later call lifts it. */
  private blockedBy = -Infinity;
  /** The shared minute's budget (or, while the rate is lowered, its even share) is used up until this (by this or other processes): calls wait, probe calls are refused. */
  private minuteUsedUntil = 0;
  /** Calls that may go out back to back, without tokens, until `until` (see onApiBack). */
  private catchUp: { until: number; calls: number } | null = null;

  constructor(options: RateLimiterOptions = {}) {
    this.options = options;
    this.configured = options.requestsPerMinute ?? 30;
    if (!(this.configured > 0)) throw new RangeError(`requestsPerMinute must be > 0, got ${this.configured}`);
    this.burst = Math.max(1, options.burst ?? 1);
    this.clock = options.clock ?? systemClock;
    this.budget = new SharedBudget(options.budgetStore ?? new MemoryBudgetStore(), options.budgetKey ?? 'default', Math.max(1, Math.floor(this.configured)), options.dailyLimit ?? 10_000);
    this.adaptive = new AdaptiveRate({ ...options, configured: this.configured });
    this.period = MINUTE + Math.max(0, options.marginMs ?? 250);
    this.tokens = this.burst;
    this.lastRefill = this.clock.now();
  }

  /**
   * Waits for this caller's turn (FIFO) and takes one call from the budgets. Resolves with the
   * milliseconds waited; rejects with ApiRateLimitError when the daily budget is used up, or with
   * the signal's reason when aborted while queued. A `first` caller goes ahead of every other kind
   * (FIFO among themselves): the health probe, whose answer tells every queued caller whether to
   * go on, must not wait behind calls that fail while the API is down.
   *
   * A `spare` caller (the probe again) takes only budget nobody else would use: when the minute's
   * budget, shared with the other processes, is used ahead of an even spread over the minute, it is
   * rejected at once with NoSpareBudgetError instead of waiting for the next minute. Several
   * processes probing through an outage then share one call every 60/rate s between them, and
   * none of them waits out the rest of a used-up minute when the API comes back.
   */
  acquire(signal?: AbortSignal, options: { first?: boolean; spare?: boolean; startBy?: number } = {}): Promise<number> {
    if (options.startBy !== undefined) return this.acquireBy(options.startBy, signal, options);
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (options.spare && this.minuteUsedUntil > this.clock.now()) return Promise.reject(this.noSpareBudget(this.minuteUsedUntil));
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = {
        enqueuedAt: this.clock.now(),
        first: options.first ?? false,
        spare: options.spare ?? false,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = this.queue.indexOf(waiter);
          if (at >= 0) this.queue.splice(at, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      const behind = waiter.first ? this.queue.findIndex((w) => !w.first) : -1;
      if (behind >= 0) this.queue.splice(behind, 0, waiter);
      else this.queue.push(waiter);
      void this.pump();
    });
  }

  /**
   * `acquire`, given up when the turn has not come by `startBy` (StartByPassedError): a run that
   * budgets its time stops there, instead of waiting at the limiter past its time limit.
   */
  private async acquireBy(startBy: number, signal: AbortSignal | undefined, options: { first?: boolean; spare?: boolean }): Promise<number> {
    if (this.clock.now() >= startBy) throw new StartByPassedError(startBy);
    const expiry = new AbortController();
    const timer = new AbortController();
    this.clock.sleep(startBy - this.clock.now(), timer.signal).then(() => expiry.abort(new StartByPassedError(startBy)), () => undefined);
    const linked = linkSignals(signal, expiry.signal);
    try {
      return await this.acquire(linked.signal, { first: options.first ?? false, spare: options.spare ?? false });
    } finally {
      timer.abort();
      linked.release();
    }
  }

  /**
   * A 429 was received for a call sent at `sentAt`: lower the rate (once per round: not for a call
   * sent before the last decrease), drain the bucket, end a catch-up (the server's window was not
   * as empty as it looked), and honour Retry-After if given.
   */
  onRateLimited(retryAfterMs?: number, sentAt?: number): void {
    const now = this.clock.now();
    this.refill(now);
    const rate = this.adaptive.rateLimited(now, sentAt);
    this.tokens = 0;
    this.catchUp = null;
    this.budget.giveBack(sentAt ?? now);
    if (retryAfterMs !== undefined && retryAfterMs > 0) {
      if (now + retryAfterMs > this.blockedUntil) this.blockedBy = sentAt ?? now;
      this.blockedUntil = Math.max(this.blockedUntil, now + retryAfterMs);
      // A debt that refills to exactly one token when Retry-After ends: one call then, the lowered rate after.
      this.tokens = Math.min(0, 1 - ((this.blockedUntil - now) * rate) / this.period);
    }
  }

  /**
   * The API answered a call sent at `sentAt` (anything but a 429 or a 5xx), here or in another
   * process sharing the IP: a lowered rate climbs back. The first answer after a storm also puts a
   * token in the bucket and wakes the queue: the next call goes now, not a lowered-rate interval
   * later. An answer to a call sent after the refusal whose Retry-After blocks us lifts the block:
   * the server serves this IP again, whatever it said to the earlier call.
   */
  onAnswered(sentAt?: number): void {
    const now = this.clock.now();
    if (this.blockedUntil > now && sentAt !== undefined && sentAt > this.blockedBy) {
      this.blockedUntil = 0;
      this.tokens = Math.max(this.tokens, 0);
      this.nudge.abort();
    }
    if (!this.adaptive.isLowered) return;
    this.refill(now);
    if (!this.adaptive.answered(now)) return;
    this.tokens = Math.max(this.tokens, 1);
    this.retakeMinute();
  }

  /**
   * The API answers again after being unavailable, or refusing every call with 429s, for
   * `outageMs` (here, or seen by another process). When that lasted at least a minute, none of our
   * calls it accepted is left in the server's window (a minute of accepted calls; failed and
   * refused ones do not count — the simulator's rule; a server that counted them would refuse the
   * excess with 429s, which end the catch-up and lower the rate as usual), so the calls it held
   * back go back to back for a few seconds instead of one per 60/rate s — still each within the
   * minute's shared budget, which keeps the configured rate per minute. After a storm, the lowered
   * rate then climbs back as usual. A shorter outage leaves the pace as it is: calls accepted just
   * before it are still in the window.
   */
  onApiBack(outageMs: number): void {
    if (outageMs < MINUTE) return;
    this.catchUp = { until: this.clock.now() + CATCH_UP_MS, calls: this.budget.perMinute };
    this.retakeMinute();
  }

  /**
   * Wakes the queue to ask the shared minute again now: the wait for it was for an even share at a
   * rate now higher, or for a catch-up's whole minute (a minute really used up is found so again).
   */
  private retakeMinute(): void {
    this.minuteUsedUntil = 0;
    this.nudge.abort();
  }

  state(): RateLimiterState {
    const now = this.clock.now();
    return {
      queueLength: this.queue.length,
      requestsPerMinute: this.adaptive.at(now),
      configuredRequestsPerMinute: this.configured,
      remainingDaily: this.budget.remainingToday(now),
      dailyLimit: this.budget.dailyLimit,
      blockedUntil: Math.max(this.blockedUntil, this.minuteUsedUntil) > now ? Math.max(this.blockedUntil, this.minuteUsedUntil) : null,
    };
  }

  /**
   * True when probe calls while the API is down may go out at their fast pace: no Retry-After holds
   * calls back, and the day's budget is not used faster than an even spread over the day plus an
   * hour's share (so probe calls through a long outage cannot shorten the collectors' day). Each
   * such call still takes only spare budget of the minute (`acquire` with `spare`); calls queued
   * here meanwhile are the collectors', waiting on the very answer the probe brings. The runtime's
   * API probe asks before a call.
   */
  hasSpareBudget(): boolean {
    const now = this.clock.now();
    return this.blockedUntil <= now && this.budget.onPaceToday(now);
  }

  private refill(now: number): void {
    const elapsed = now - this.lastRefill;
    if (elapsed > 0) this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.adaptive.at(now)) / this.period);
    this.lastRefill = now;
  }

  /** Milliseconds until the head of the queue may take a token. */
  private waitMs(now: number): number {
    const blocked = Math.max(this.blockedUntil, this.minuteUsedUntil);
    if (blocked > now) return blocked - now;
    this.refill(now);
    if (this.tokens >= 1 || this.catchingUp(now)) return 0;
    return Math.ceil(((1 - this.tokens) * this.period) / this.adaptive.at(now));
  }

  private catchingUp(now: number): boolean {
    if (this.catchUp && (now >= this.catchUp.until || this.catchUp.calls <= 0)) this.catchUp = null;
    return this.catchUp !== null;
  }

  /** Serves the queue head by head; only one pump runs at a time, which is what makes it FIFO. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const now = this.clock.now();
        if (this.budget.remainingToday(now) <= 0) {
          // The day's budget cannot come back before midnight UTC: fail every waiter now.
          this.settle(this.queue[0]!, dailyLimitError(this.budget.dailyLimit, now));
          continue;
        }
        const head = this.queue[0] as Waiter;
        if (head.spare && this.minuteUsedUntil > now) {
          this.settle(head, this.noSpareBudget(this.minuteUsedUntil));
          continue;
        }
        const wait = this.waitMs(now);
        if (wait > 0) {
          // While the rate climbs back, wake up often enough to use the higher rate.
          this.nudge = new AbortController();
          await sleepOrWake(this.clock, this.adaptive.isLowered && Math.max(this.blockedUntil, this.minuteUsedUntil) <= now ? Math.min(wait, MAX_SLEEP_MS) : wait, this.nudge.signal);
          continue;
        }
        if (!(await this.takeMinute(head, now)) || !(await this.budget.takeDay(now))) continue;
        if (this.catchUp && this.catchingUp(this.clock.now())) this.catchUp.calls -= 1;
        else this.tokens -= 1;
        const waiter = this.queue[0];
        if (waiter) this.settle(waiter, null);
      }
    } finally {
      this.pumping = false;
    }
  }

  /**
   * Takes one call of the shared minute for `head` (SharedBudget); false when there is none now: a
   * spare caller is then refused, others wait (minuteUsedUntil). A catch-up takes the whole minute.
   */
  private async takeMinute(head: Waiter, now: number): Promise<boolean> {
    const lowered = this.adaptive.isLowered && !this.catchingUp(now);
    const loweredTo = lowered ? Math.max(1, Math.min(this.budget.perMinute, Math.floor(this.adaptive.at(now)))) : undefined;
    const take = await this.budget.takeMinute(now, { spare: head.spare, loweredTo });
    if (take.taken) return true;
    if (head.spare) {
      if (this.queue[0] === head) this.settle(head, this.noSpareBudget(take.retryAt));
    } else this.minuteUsedUntil = Math.max(this.minuteUsedUntil, take.retryAt);
    return false;
  }

  private noSpareBudget(retryAt: number): NoSpareBudgetError {
    return new NoSpareBudgetError(`no spare API budget for a probe call now: this minute's ${this.budget.perMinute} calls are used ahead of an even spread (by other calls or processes sharing api.budgetKey); the API is probed again shortly.`, retryAt);
  }

  /** Removes the head waiter and resolves it (error null) or rejects it. */
  private settle(waiter: Waiter, error: ApiRateLimitError | NoSpareBudgetError | null): void {
    this.queue.shift();
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
    if (error) return waiter.reject(error);
    const waitedMs = this.clock.now() - waiter.enqueuedAt;
    this.options.onAcquire?.({ waitedMs, queueLength: this.queue.length });
    waiter.resolve(waitedMs);
  }
}
