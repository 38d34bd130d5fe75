/** collector_state (one row per collector instance) and checkpoints (resume points). */
import { sql } from 'kysely';
import { fromRow, writeBatch, type TableSpec } from './batch.ts';
import type { RepoContext } from './context.ts';

export interface CollectorStateRecord {
  collector: string;
  state: string;
  consecutiveFailures: number;
  intervalS: number;
  configuredIntervalS: number;
  nextRunAt: number | null;
  lastRunAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
  disabled: boolean;
  updatedAt: number;
}

const COLLECTOR_STATE: TableSpec<CollectorStateRecord> = {
  table: 'collector_state',
  key: ['collector'],
  onConflict: 'update',
  // Only a person disables a collector (setDisabled); the runtime's upserts never clear it.
  keepOnUpdate: ['disabled'],
  columns: [
    { column: 'collector', field: 'collector', kind: 'text' },
    { column: 'state', field: 'state', kind: 'text' },
    { column: 'consecutive_failures', field: 'consecutiveFailures', kind: 'int' },
    { column: 'interval_s', field: 'intervalS', kind: 'int' },
    { column: 'configured_interval_s', field: 'configuredIntervalS', kind: 'int' },
    { column: 'next_run_at', field: 'nextRunAt', kind: 'int' },
    { column: 'last_run_at', field: 'lastRunAt', kind: 'int' },
    { column: 'last_success_at', field: 'lastSuccessAt', kind: 'int' },
    { column: 'last_error', field: 'lastError', kind: 'text' },
    { column: 'disabled', field: 'disabled', kind: 'bool' },
    { column: 'updated_at', field: 'updatedAt', kind: 'int' },
  ],
};

export class CollectorStateRepository {
  constructor(private readonly ctx: RepoContext) {}

  /** Inserts or updates state rows; `disabled` is only written for new rows (see setDisabled). */
  upsert(rows: readonly CollectorStateRecord[]): Promise<number> {
    return writeBatch(this.ctx, COLLECTOR_STATE, rows);
  }

  async get(collector: string): Promise<CollectorStateRecord | undefined> {
    const row = await this.ctx.db.selectFrom('collector_state').selectAll().where('collector', '=', collector).executeTakeFirst();
    return row ? fromRow(COLLECTOR_STATE, row) : undefined;
  }

  async list(): Promise<CollectorStateRecord[]> {
    const rows = await this.ctx.db.selectFrom('collector_state').selectAll().orderBy('collector').execute();
    return rows.map((row) => fromRow(COLLECTOR_STATE, row));
  }

  /** Sets or clears a person's "disabled" flag, creating the row if the collector never ran. */
  async setDisabled(collector: string, disabled: boolean, at: number): Promise<void> {
    await this.ctx.db
      .insertInto('collector_state')
      .values({ collector, state: disabled ? 'disabled' : 'healthy', consecutive_failures: 0, interval_s: 0, configured_interval_s: 0, disabled: disabled ? 1 : 0, updated_at: at })
      .onConflict((oc) => oc.column('collector').doUpdateSet({ disabled: disabled ? 1 : 0, updated_at: at }))
      .execute();
  }
}

export interface Checkpoint {
  key: string;
  value: string;
  updatedAt: number;
}

export class CheckpointsRepository {
  constructor(private readonly ctx: RepoContext) {}

  async get(collector: string, key: string): Promise<Checkpoint | undefined> {
    const row = await this.ctx.db.selectFrom('checkpoints').select(['key', 'value', 'updated_at']).where('collector', '=', collector).where('key', '=', key).executeTakeFirst();
    return row ? { key: row.key, value: row.value, updatedAt: Number(row.updated_at) } : undefined;
  }

  /** Every checkpoint of a collector, optionally only keys starting with `prefix`. */
  async list(collector: string, prefix?: string): Promise<Checkpoint[]> {
    let query = this.ctx.db.selectFrom('checkpoints').select(['key', 'value', 'updated_at']).where('collector', '=', collector);
    if (prefix) query = query.where(sql`substr(key, 1, ${prefix.length})`, '=', prefix);
    const rows = await query.orderBy('key').execute();
    return rows.map((row) => ({ key: row.key, value: row.value, updatedAt: Number(row.updated_at) }));
  }

  set(collector: string, key: string, value: string, at: number): Promise<number> {
    return this.setMany(collector, [{ key, value }], at);
  }

  setMany(collector: string, entries: readonly { key: string; value: string }[], at: number): Promise<number> {
    return writeBatch(this.ctx, CHECKPOINTS, entries.map((e) => ({ collector, key: e.key, value: e.value, updatedAt: at })));
  }
}

const CHECKPOINTS: TableSpec<{ collector: string; key: string; value: string; updatedAt: number }> = {
  table: 'checkpoints',
  key: ['collector', 'key'],
  onConflict: 'update',
  columns: [
    { column: 'collector', field: 'collector', kind: 'text' },
    { column: 'key', field: 'key', kind: 'text' },
    { column: 'value', field: 'value', kind: 'text' },
    { column: 'updated_at', field: 'updatedAt', kind: 'int' },
  ],
};
