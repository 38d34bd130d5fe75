import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RateLimiter } from '../../src/api/rate-limiter.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { DatabaseBudgetStore } from '../../src/runtime/budget-store.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { freshPgDatabase } from '../support/postgres.ts';
import { tempDir } from '../support/temp-dir.ts';
import { drive } from './harness.ts';

const MINUTE = 60_000;

/** Three stores on one database: three connections, as three processes would have. */
async function threeStores(t: { after(fn: () => Promise<void>): void }, url: string): Promise<Store[]> {
  const stores: Store[] = [];
  // In one process a SQLite busy wait would block the thread the lock holder needs: keep it short
  // and let the store's retry policy do the waiting (separate processes would not have this issue).
  for (let i = 0; i < 3; i++) stores.push(await openStore({ url, checkpointEveryMs: 0, poolSize: 2, busyTimeoutMs: 5 }));
  t.after(async () => {
    for (const s of stores) await s.close();
  });
  return stores;
}

async function sharedBudget(stores: Store[]): Promise<void> {
  const budgets = stores.map((s) => new DatabaseBudgetStore(s));
  const window = Date.UTC(2025, 0, 1, 12, 0);
  const takes = await Promise.all(Array.from({ length: 90 }, (_, i) => (budgets[i % 3] as DatabaseBudgetStore).take('host-a:minute', window, 30)));
  assert.equal(takes.filter((x) => x.taken).length, 30, 'exactly the limit, across all three');
  assert.equal((await (budgets[0] as DatabaseBudgetStore).take('host-b:minute', window, 30)).taken, true, 'another budget key has its own budget');
  await (budgets[2] as DatabaseBudgetStore).giveBack('host-a:minute', window);
  assert.equal((await (budgets[0] as DatabaseBudgetStore).take('host-a:minute', window, 30)).taken, true, 'a call given back (refused by the server) can be taken again, by any of them');
  const next = await (budgets[1] as DatabaseBudgetStore).take('host-a:minute', window + MINUTE, 30);
  assert.deepEqual(next, { taken: true, remaining: 29, used: 1 }, 'the next minute starts afresh');
  await (budgets[2] as DatabaseBudgetStore).giveBack('host-a:minute', window);
  assert.equal((await (budgets[0] as DatabaseBudgetStore).take('host-a:minute', window + MINUTE, 30)).used, 2, 'a give-back for a minute past changes nothing');
}

describe('API budget shared through the database', () => {
  it('SQLite: three connections together take exactly the per-minute limit', async (t) => {
    await sharedBudget(await threeStores(t, `sqlite:${join(tempDir(t), 'budget.sqlite')}`));
  });

  it('PostgreSQL: three connections together take exactly the per-minute limit', async (t) => {
    const url = await freshPgDatabase(t);
    if (!url) return;
    await sharedBudget(await threeStores(t, url));
  });

  it('three rate limiters sharing one budget never exceed 30 calls in any minute', async (t) => {
    const stores = await threeStores(t, `sqlite:${join(tempDir(t), 'limiters.sqlite')}`);
    const clock = new ManualClock(Date.UTC(2025, 0, 1, 12, 0));
    const calls: number[] = [];
    const limiters = stores.map((s) => new RateLimiter({ requestsPerMinute: 30, burst: 30, clock, budgetStore: new DatabaseBudgetStore(s), budgetKey: 'shared' }));
    const all = limiters.flatMap((limiter) => Array.from({ length: 30 }, () => limiter.acquire().then(() => calls.push(clock.now()))));
    await drive(clock, 3 * MINUTE + 1000, 250);
    await Promise.all(all);
    const perMinute = new Map<number, number>();
    for (const at of calls) perMinute.set(Math.floor(at / MINUTE), (perMinute.get(Math.floor(at / MINUTE)) ?? 0) + 1);
    assert.equal(calls.length, 90);
    assert.deepEqual([...perMinute.values()], [30, 30, 30]);
  });

  it('falls back to counting in this process when the database is unavailable', async (t) => {
    const { store } = { store: await openStore({ url: `sqlite:${join(tempDir(t), 'closed.sqlite')}`, checkpointEveryMs: 0 }) };
    const budget = new DatabaseBudgetStore(store);
    await store.close();
    const window = Date.UTC(2025, 0, 1);
    const takes = await Promise.all(Array.from({ length: 5 }, () => budget.take('k:minute', window, 3)));
    assert.deepEqual(takes.map((x) => x.taken), [true, true, true, false, false]);
  });
});
