/**
 * The API call budget shared through the database (api_budget), so several processes with the
 * same `api.budgetKey` (one machine, one IP, one API limit) stay within it together. Hand it to
 * the API client's rate limiter (`budgetStore`) when the daemon starts.
 *
 * If the database cannot be reached, calls are counted in memory for this process alone until it
 * can again: collection goes on within this process's own limit rather than stopping (with
 * several processes the shared limit may then be exceeded for the length of the outage).
 */
import { MemoryBudgetStore, type BudgetStore, type BudgetTake } from '../api/budget-store.ts';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import type { Store } from '../store/index.ts';
import { toSeconds } from './store-records.ts';

export class DatabaseBudgetStore implements BudgetStore {
  private readonly fallback = new MemoryBudgetStore();
  private degraded = false;

  constructor(
    private readonly store: Store,
    private readonly logger?: Logger,
  ) {}

  async take(key: string, windowStart: number, limit: number): Promise<BudgetTake> {
    try {
      const use = await this.store.write((tx) => tx.apiBudget.consume(key, toSeconds(windowStart), limit), { label: 'api budget' });
      if (this.degraded) {
        this.degraded = false;
        this.logger?.info({ key }, 'API budget is shared through the database again');
      }
      return { taken: use.allowed, remaining: Math.max(0, limit - use.calls), used: use.calls };
    } catch (error) {
      if (!this.degraded) {
        this.degraded = true;
        this.logger?.warn({ key, error: errorMessage(error) }, 'API budget: database unavailable, counting in this process only');
      }
      return this.fallback.take(key, windowStart, limit);
    }
  }

  async giveBack(key: string, windowStart: number): Promise<void> {
    if (this.degraded) return this.fallback.giveBack(key, windowStart);
    // A call not given back only makes the budget stricter for the rest of its minute.
    await this.store.write((tx) => tx.apiBudget.giveBack(key, toSeconds(windowStart)), { label: 'api budget' }).catch(() => undefined);
  }
}
