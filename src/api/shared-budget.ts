/**
 * The minute and day budgets each call of a RateLimiter is taken from, in a BudgetStore shared by
 * the processes of one IP (`api.budgetKey`). The minute counts the calls the server counts: a call
 * it refused with a 429 is given back. While 429s keep the rate lowered, a call also takes an even
 * share of the lowered rate, counted over every call into the storm, refused ones included
 * (`:lowered`): processes calling into a storm keep to that rate together, not each to its own,
 * and never use it up ahead of time, so the storm's end is seen within a spacing; and the calls it
 * refused leave the minute to the calls its end lets go.
 */
import type { BudgetStore } from './budget-store.ts';
import { dayStart, evenShare, nextShareAt } from './budget-windows.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** A call taken, or none now and when to ask again. */
export type MinuteTake = { taken: true } | { taken: false; retryAt: number };

export interface MinuteRequest {
  /** Only spare budget: an even spread of the minute, never a wait for the next one. */
  spare: boolean;
  /** The lowered rate (calls a minute) while 429s keep it lowered; undefined at the full rate or in a catch-up. */
  loweredTo: number | undefined;
}

export class SharedBudget {
  private remaining: { dayStart: number; value: number } | null = null;

  constructor(
    private readonly store: BudgetStore,
    private readonly key: string,
    readonly perMinute: number,
    readonly dailyLimit: number,
  ) {}

  /** One call of the minute at `now` (see the module comment). */
  async takeMinute(now: number, request: MinuteRequest): Promise<MinuteTake> {
    const minuteStart = now - (now % MINUTE);
    const { loweredTo } = request;
    if (loweredTo !== undefined) {
      const paced = await this.store.take(`${this.key}:lowered`, minuteStart, evenShare(loweredTo, now - minuteStart));
      if (!paced.taken) return { taken: false, retryAt: nextShareAt(loweredTo, minuteStart, paced.used) };
    }
    const minute = await this.store.take(`${this.key}:minute`, minuteStart, request.spare ? evenShare(this.perMinute, now - minuteStart) : this.perMinute);
    if (minute.taken) return { taken: true };
    if (loweredTo !== undefined) await this.store.giveBack(`${this.key}:lowered`, minuteStart);
    return { taken: false, retryAt: request.spare ? nextShareAt(this.perMinute, minuteStart, minute.used) : minuteStart + MINUTE };
  }

  /** One call of the UTC day; false when the day's budget is used up. */
  async takeDay(now: number): Promise<boolean> {
    const day = await this.store.take(`${this.key}:day`, dayStart(now), this.dailyLimit);
    this.remaining = { dayStart: dayStart(now), value: day.remaining };
    return day.taken;
  }

  /** The server refused the call sent at `sentAt`: its minute gets it back (best effort). */
  giveBack(sentAt: number): void {
    this.store.giveBack(`${this.key}:minute`, sentAt - (sentAt % MINUTE)).catch(() => undefined);
  }

  /** The day's budget is used no faster than an even spread over the day, plus an hour's share. */
  onPaceToday(now: number): boolean {
    const used = this.dailyLimit - this.remainingToday(now);
    return used < (this.dailyLimit * (now - dayStart(now) + HOUR)) / DAY;
  }

  /** Calls left today (UTC), as last reported by the store. */
  remainingToday(now: number): number {
    return this.remaining && this.remaining.dayStart === dayStart(now) ? this.remaining.value : this.dailyLimit;
  }
}
