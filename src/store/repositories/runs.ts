/** collection_runs: one row per collector run, started before and finished after its work. */
import type { RunStatus } from '../schema.ts';
import type { RepoContext } from './context.ts';

export interface RunRecord {
  id: number;
  collector: string;
  instanceId: string;
  slotStart: number | null;
  startedAt: number;
  finishedAt: number | null;
  status: RunStatus;
  rowsWritten: number;
  rejected: number;
  error: string | null;
  failureClass: string | null;
}

export interface RunStart {
  collector: string;
  instanceId: string;
  slotStart?: number | null;
  startedAt: number;
}

export interface RunFinish {
  finishedAt: number;
  status: Exclude<RunStatus, 'running'>;
  /** When given, replaces the counts; otherwise the counts added by addCounts stay. */
  rowsWritten?: number;
  rejected?: number;
  error?: string | null;
  failureClass?: string | null;
}

type RunRow = {
  id: number; collector: string; instance_id: string; slot_start: number | null; started_at: number;
  finished_at: number | null; status: RunStatus; rows_written: number; rejected: number; error: string | null; failure_class: string | null;
};

function toRecord(row: RunRow): RunRecord {
  return {
    id: Number(row.id), collector: row.collector, instanceId: row.instance_id,
    slotStart: row.slot_start === null ? null : Number(row.slot_start), startedAt: Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at), status: row.status,
    rowsWritten: Number(row.rows_written), rejected: Number(row.rejected), error: row.error, failureClass: row.failure_class,
  };
}

export class RunsRepository {
  constructor(private readonly ctx: RepoContext) {}

  /** Records a run as 'running'; returns its id. */
  async start(run: RunStart): Promise<number> {
    const row = await this.ctx.db
      .insertInto('collection_runs')
      .values({ collector: run.collector, instance_id: run.instanceId, slot_start: run.slotStart ?? null, started_at: run.startedAt, status: 'running', rows_written: 0, rejected: 0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /** Adds one page's counts to a run (in the page's own transaction). */
  async addCounts(id: number, rowsWritten: number, rejected = 0): Promise<void> {
    await this.ctx.db
      .updateTable('collection_runs')
      .set((eb) => ({ rows_written: eb('rows_written', '+', rowsWritten), rejected: eb('rejected', '+', rejected) }))
      .where('id', '=', id)
      .execute();
  }

  async finish(id: number, finish: RunFinish): Promise<void> {
    await this.ctx.db
      .updateTable('collection_runs')
      .set({
        finished_at: finish.finishedAt,
        status: finish.status,
        error: finish.error ?? null,
        failure_class: finish.failureClass ?? null,
        ...(finish.rowsWritten !== undefined ? { rows_written: finish.rowsWritten } : {}),
        ...(finish.rejected !== undefined ? { rejected: finish.rejected } : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Marks 'running' runs as 'abandoned' (their process died): those of one instance id, and/or
   * those started before `startedBefore`. Returns how many were marked.
   */
  async markAbandoned(filter: { instanceId?: string; startedBefore?: number }, at: number): Promise<number> {
    if (filter.instanceId === undefined && filter.startedBefore === undefined) throw new Error('markAbandoned needs instanceId or startedBefore');
    let query = this.ctx.db
      .updateTable('collection_runs')
      .set({ status: 'abandoned', finished_at: at, error: 'the process running it stopped before it finished' })
      .where('status', '=', 'running');
    if (filter.instanceId !== undefined) query = query.where('instance_id', '=', filter.instanceId);
    if (filter.startedBefore !== undefined) query = query.where('started_at', '<', filter.startedBefore);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async get(id: number): Promise<RunRecord | undefined> {
    const row = await this.ctx.db.selectFrom('collection_runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  /**
   * When the newest run of `collectors` by an instance other than `excludeInstance`, started at or
   * after `since` (unix s), began — counting only runs that wrote rows (running or ok): data that
   * run fetched after `since`. Undefined when there is none.
   */
  async newestStartWithRows(options: { collectors: readonly string[]; since: number; excludeInstance: string }): Promise<number | undefined> {
    if (options.collectors.length === 0) return undefined;
    const row = await this.ctx.db
      .selectFrom('collection_runs')
      .select((eb) => eb.fn.max('started_at').as('newest'))
      .where('status', 'in', ['running', 'ok'])
      .where('started_at', '>=', options.since)
      .where('rows_written', '>', 0)
      .where('instance_id', '<>', options.excludeInstance)
      .where('collector', 'in', [...options.collectors])
      .executeTakeFirst();
    return row?.newest === null || row?.newest === undefined ? undefined : Number(row.newest);
  }

  /** Newest runs first, optionally of one collector (instance name) and/or status. */
  async recent(options: { collector?: string; status?: RunStatus; limit?: number } = {}): Promise<RunRecord[]> {
    let query = this.ctx.db.selectFrom('collection_runs').selectAll();
    if (options.collector !== undefined) query = query.where('collector', '=', options.collector);
    if (options.status !== undefined) query = query.where('status', '=', options.status);
    const rows = await query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(options.limit ?? 50).execute();
    return rows.map(toRecord);
  }
}
