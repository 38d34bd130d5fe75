import { sql } from 'kysely';
import { TABLE_NAMES, type TableName } from '../schema.ts';
import type { RepoContext } from './context.ts';

export class StatsRepository {
  constructor(private readonly ctx: RepoContext) {}

  /** Exact row count of every table (one statement). */
  async tableCounts(): Promise<Record<TableName, number>> {
    const parts = TABLE_NAMES.map((t) => sql`select ${t} as name, count(*) as n from ${sql.table(t)}`);
    const result = await sql<{ name: TableName; n: number | string }>`${sql.join(parts, sql` union all `)}`.execute(this.ctx.db);
    const counts = Object.fromEntries(TABLE_NAMES.map((t) => [t, 0])) as Record<TableName, number>;
    for (const row of result.rows) counts[row.name] = Number(row.n);
    return counts;
  }
}
