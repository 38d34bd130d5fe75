/**
 * Coordination between instances that share one database: schedule-slot claims and the shared
 * API call budget. Both are single atomic statements, correct on SQLite and PostgreSQL alike.
 */
import { sql } from 'kysely';
import type { RepoContext } from './context.ts';

export interface SlotClaim {
  collector: string;
  slotStart: number;
  instanceId: string;
  claimedAt: number;
  expiresAt: number;
  finishedAt: number | null;
}

export class SlotClaimsRepository {
  constructor(private readonly ctx: RepoContext) {}

  /**
   * Claims a slot; true when this instance won it. A slot already claimed by someone else is
   * taken over only if that claim expired (expires_at < now) without finishing.
   */
  async claim(claim: { collector: string; slotStart: number; instanceId: string; now: number; expiresAt: number }): Promise<boolean> {
    const rows = await this.ctx.db
      .insertInto('slot_claims')
      .values({ collector: claim.collector, slot_start: claim.slotStart, instance_id: claim.instanceId, claimed_at: claim.now, expires_at: claim.expiresAt, finished_at: null })
      .onConflict((oc) => oc
        .columns(['collector', 'slot_start'])
        .doUpdateSet({ instance_id: claim.instanceId, claimed_at: claim.now, expires_at: claim.expiresAt })
        .where('slot_claims.finished_at', 'is', null)
        .where('slot_claims.expires_at', '<', claim.now))
      .returning('instance_id')
      .execute();
    return rows.length === 1 && rows[0]?.instance_id === claim.instanceId;
  }

  /** Marks a slot this instance holds as finished; false when it no longer holds it. */
  async finish(collector: string, slotStart: number, instanceId: string, at: number): Promise<boolean> {
    const result = await this.ctx.db
      .updateTable('slot_claims')
      .set({ finished_at: at })
      .where('collector', '=', collector)
      .where('slot_start', '=', slotStart)
      .where('instance_id', '=', instanceId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Extends a claim this instance holds (the heartbeat of a long run); false when it no longer holds it. */
  renew(collector: string, slotStart: number, instanceId: string, expiresAt: number): Promise<boolean> {
    return this.updateOwn(collector, slotStart, instanceId, { expires_at: expiresAt });
  }

  /**
   * Opens again a claim this instance holds (a retry of a slot it already ran): unfinished, so if
   * this instance dies during the retry another one takes the slot over once the claim expires.
   */
  reopen(collector: string, slotStart: number, instanceId: string, expiresAt: number): Promise<boolean> {
    return this.updateOwn(collector, slotStart, instanceId, { expires_at: expiresAt, finished_at: null });
  }

  /** Gives up a claim this instance holds, unfinished: another instance may take the slot from `at` on. */
  release(collector: string, slotStart: number, instanceId: string, at: number): Promise<boolean> {
    return this.updateOwn(collector, slotStart, instanceId, { expires_at: at - 1 });
  }

  /** Releases every unfinished claim of an instance that died (from `at` on); returns how many. */
  async releaseUnfinished(instanceId: string, at: number): Promise<number> {
    const result = await this.ctx.db.updateTable('slot_claims').set({ expires_at: at - 1 }).where('instance_id', '=', instanceId).where('finished_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async get(collector: string, slotStart: number): Promise<SlotClaim | undefined> {
    const row = await this.ctx.db.selectFrom('slot_claims').selectAll().where('collector', '=', collector).where('slot_start', '=', slotStart).executeTakeFirst();
    if (!row) return undefined;
    return {
      collector: row.collector, slotStart: Number(row.slot_start), instanceId: row.instance_id, claimedAt: Number(row.claimed_at),
      expiresAt: Number(row.expires_at), finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    };
  }

  /**
   * Deletes up to `limit` claims of slots that started before `before` (call again while it
   * returns `limit`: each call is a short transaction); returns how many. The newest claim of
   * each collector is kept whatever its age: it may be the current slot of a long interval, and
   * without it another process would run that slot again. Older slots are never run again (the
   * schedule only moves forward), so their claims are history.
   */
  async prune(before: number, limit: number): Promise<number> {
    const result = await this.ctx.db
      .deleteFrom('slot_claims')
      .where((eb) => eb(eb.refTuple('collector', 'slot_start'), 'in', eb
        .selectFrom('slot_claims as old')
        .select(['old.collector', 'old.slot_start'])
        .where('old.slot_start', '<', before)
        .where((inner) => inner('old.slot_start', '<', inner
          .selectFrom('slot_claims as newest')
          .select((m) => m.fn.max('newest.slot_start').as('slot_start'))
          .whereRef('newest.collector', '=', 'old.collector')))
        .limit(limit)
        .$asTuple('collector', 'slot_start')))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private async updateOwn(collector: string, slotStart: number, instanceId: string, set: { expires_at: number; finished_at?: null }): Promise<boolean> {
    const result = await this.ctx.db.updateTable('slot_claims').set(set).where('collector', '=', collector).where('slot_start', '=', slotStart).where('instance_id', '=', instanceId).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

export interface BudgetUse {
  /** True when the call was counted (the window had room). */
  allowed: boolean;
  /** Calls counted in the current window, including this one when allowed. */
  calls: number;
  windowStart: number;
}

export class ApiBudgetRepository {
  constructor(private readonly ctx: RepoContext) {}

  /**
   * Counts one call against `budgetKey` in the window starting at `windowStart` if fewer than
   * `limit` were counted there. A newer window resets the count; a caller whose clock is behind
   * counts against the stored (newer) window.
   */
  async consume(budgetKey: string, windowStart: number, limit: number, calls = 1): Promise<BudgetUse> {
    if (calls > limit) {
      const current = await this.peek(budgetKey);
      return { allowed: false, calls: current?.calls ?? 0, windowStart: current?.windowStart ?? windowStart };
    }
    const rows = await this.ctx.db
      .insertInto('api_budget')
      .values({ budget_key: budgetKey, window_start: windowStart, calls })
      .onConflict((oc) => oc
        .column('budget_key')
        .doUpdateSet({
          calls: sql`case when excluded.window_start > api_budget.window_start then excluded.calls else api_budget.calls + excluded.calls end`,
          window_start: sql`case when excluded.window_start > api_budget.window_start then excluded.window_start else api_budget.window_start end`,
        })
        .where(sql<boolean>`excluded.window_start > api_budget.window_start or api_budget.calls + excluded.calls <= ${limit}`))
      .returning(['calls', 'window_start'])
      .execute();
    const row = rows[0];
    if (row && Number(row.calls) <= limit) return { allowed: true, calls: Number(row.calls), windowStart: Number(row.window_start) };
    const current = await this.peek(budgetKey);
    return { allowed: false, calls: current?.calls ?? 0, windowStart: current?.windowStart ?? windowStart };
  }

  /**
   * Gives back one call counted in the window starting at `windowStart` (one the server refused:
   * it did not count it either). Nothing when that window has passed or holds no call.
   */
  async giveBack(budgetKey: string, windowStart: number): Promise<void> {
    await this.ctx.db.updateTable('api_budget').set({ calls: sql`calls - 1` }).where('budget_key', '=', budgetKey).where('window_start', '=', windowStart).where('calls', '>', 0).execute();
  }

  async peek(budgetKey: string): Promise<{ calls: number; windowStart: number } | undefined> {
    const row = await this.ctx.db.selectFrom('api_budget').select(['calls', 'window_start']).where('budget_key', '=', budgetKey).executeTakeFirst();
    return row ? { calls: Number(row.calls), windowStart: Number(row.window_start) } : undefined;
  }
}
