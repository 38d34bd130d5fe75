/**
 * Where the rate limiter counts calls per window (minute, UTC day). In memory by default; the
 * runtime can pass a store backed by the database so that several processes on one machine
 * (one IP, one API budget) share one budget, keyed by `api.budgetKey`.
 */

export interface BudgetTake {
  /** Whether one call was taken (false: the window's limit is reached). */
  taken: boolean;
  /** Calls left in this window after this take. */
  remaining: number;
  /** Calls taken in this window, this one included. */
  used: number;
}

export interface BudgetStore {
  /**
   * Takes one call from budget `key` in the window starting at `windowStart` (epoch ms), if fewer
   * than `limit` calls were taken in that window. Must be atomic across everyone sharing the store.
   */
  take(key: string, windowStart: number, limit: number): Promise<BudgetTake>;
  /** Gives back one call taken in that window (the server refused it); nothing once the window has passed. */
  giveBack(key: string, windowStart: number): Promise<void>;
}

/** A budget store for one process. */
export class MemoryBudgetStore implements BudgetStore {
  private readonly windows = new Map<string, { windowStart: number; used: number }>();

  async take(key: string, windowStart: number, limit: number): Promise<BudgetTake> {
    let window = this.windows.get(key);
    if (!window || window.windowStart !== windowStart) {
      window = { windowStart, used: 0 };
      this.windows.set(key, window);
    }
    if (window.used >= limit) return { taken: false, remaining: 0, used: window.used };
    window.used += 1;
    return { taken: true, remaining: limit - window.used, used: window.used };
  }

  async giveBack(key: string, windowStart: number): Promise<void> {
    const window = this.windows.get(key);
    if (window && window.windowStart === windowStart && window.used > 0) window.used -= 1;
  }
}
