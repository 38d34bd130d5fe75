/**
 * `gtc db copy --to postgres://…`: SQLite → PostgreSQL. Each table is read in primary-key order and
 * written in batches; every batch commits together with a progress checkpoint in the target, so an
 * interrupted copy resumes where it stopped. Rows are upserted, so a rerun converges on the source.
 * At the end the row counts of both sides are compared.
 */
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { redactUrl, type GtcConfig } from '../../../config/index.ts';
import { GtcError } from '../../../lib/errors.ts';
import { openStore, parseDatabaseUrl, storeOptionsFromConfig, TABLE_NAMES, type Store, type TableName } from '../../../store/index.ts';
import { printJson, UsageError } from '../../context.ts';
import { createProgress, type Progress } from '../../output/progress.ts';
import { renderTable } from '../../output/table.ts';

/** The collector name of the copy's own progress rows in the target's checkpoints table. */
const PROGRESS = 'gtc-db-copy';
/** PostgreSQL allows 65535 bind parameters per statement. */
const MAX_PARAMETERS = 60_000;
const SERIAL_TABLES: readonly TableName[] = ['collection_runs', 'data_gaps'];

export interface CopyOptions {
  to: string;
  batchSize?: number;
  restart?: boolean;
  json?: boolean;
}

export interface TableCopy {
  table: string;
  source: number;
  target: number;
  copied: number;
  equal: boolean;
}

interface Columns {
  all: string[];
  key: string[];
}

function columnsOf(source: BetterSqlite3.Database, table: string): Columns {
  const info = source.prepare(`select name, pk from pragma_table_info(?)`).all(table) as { name: string; pk: number }[];
  const key = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  return { all: info.map((c) => c.name), key };
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

async function progressOf(target: Store, table: string): Promise<unknown[] | 'done' | undefined> {
  const row = await target.read.checkpoints.get(PROGRESS, table);
  if (!row) return undefined;
  return row.value === 'done' ? 'done' : (JSON.parse(row.value) as unknown[]);
}

async function copyTable(source: BetterSqlite3.Database, target: Store, table: TableName, batchSize: number, restart: boolean, progress: Progress): Promise<number> {
  const { all, key } = columnsOf(source, table);
  const resume = restart ? undefined : await progressOf(target, table);
  if (resume === 'done') return 0;
  const rowsPerBatch = Math.max(1, Math.min(batchSize, Math.floor(MAX_PARAMETERS / all.length)));
  const after = resume ? `where (${key.map(quote).join(', ')}) > (${key.map(() => '?').join(', ')})` : '';
  const rows = source.prepare(`select ${all.map(quote).join(', ')} from ${quote(table)} ${after} order by ${key.map(quote).join(', ')}`).raw(true).iterate(...(resume ?? [])) as IterableIterator<unknown[]>;
  const keyIndexes = key.map((k) => all.indexOf(k));
  const updates = all.filter((c) => !key.includes(c));
  const conflict = updates.length ? `do update set ${updates.map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ')}` : 'do nothing';
  let copied = 0;
  let batch: unknown[][] = [];
  const flush = async (): Promise<void> => {
    if (!batch.length) return;
    const rowsSql = sql.join(batch.map((row) => sql`(${sql.join(row)})`));
    const last = keyIndexes.map((i) => (batch[batch.length - 1] as unknown[])[i]);
    const now = Math.floor(Date.now() / 1000);
    await target.write(async (tx) => {
      await sql`insert into ${sql.table(table)} (${sql.join(all.map((c) => sql.ref(c)))}) values ${rowsSql} on conflict (${sql.join(key.map((c) => sql.ref(c)))}) ${sql.raw(conflict)}`.execute(tx.db);
      await tx.checkpoints.set(PROGRESS, table, JSON.stringify(last), now);
    }, { label: `db copy ${table}` });
    copied += batch.length;
    progress.tick(batch.length);
    batch = [];
  };
  for (const row of rows) {
    batch.push(row);
    if (batch.length >= rowsPerBatch) await flush();
  }
  await flush();
  if (SERIAL_TABLES.includes(table)) {
    await target.write(async (tx) => {
      await sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce((select max(id) from ${sql.table(table)}), 0) + 1, false)`.execute(tx.db);
    }, { label: `db copy ${table} sequence` });
  }
  await target.write((tx) => tx.checkpoints.set(PROGRESS, table, 'done', Math.floor(Date.now() / 1000)), { label: `db copy ${table} done` });
  return copied;
}

export async function copyToPostgres(config: GtcConfig, options: CopyOptions): Promise<TableCopy[]> {
  const from = parseDatabaseUrl(config.database.url);
  if (from.dialect !== 'sqlite' || from.path === ':memory:') throw new UsageError('gtc db copy copies the configured SQLite database; GTC_DATABASE_URL (or database.url) must name a SQLite file.');
  if (!/^postgres(ql)?:\/\//i.test(options.to)) throw new UsageError(`--to must be a PostgreSQL URL such as postgres://user@host:5432/gtc, got ${JSON.stringify(redactUrl(options.to))}.`);
  const batchSize = options.batchSize ?? 2_000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`--batch-size must be a whole number above 0, got ${options.batchSize}.`);

  let source: BetterSqlite3.Database;
  try {
    source = new BetterSqlite3(from.path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new GtcError('db-down', `Cannot open the SQLite database ${from.path}: ${(error as Error).message}.`);
  }
  source.pragma('busy_timeout = 5000');
  const target = await openStore({ ...storeOptionsFromConfig(config.database), url: options.to, migrate: true });
  const count = (table: string): number => (source.prepare(`select count(*) as n from ${quote(table)}`).get() as { n: number }).n;
  try {
    const sourceCounts = Object.fromEntries(TABLE_NAMES.map((t) => [t, count(t)])) as Record<TableName, number>;
    const progress = createProgress('Copying', Object.values(sourceCounts).reduce((a, b) => a + b, 0));
    const copied: Partial<Record<TableName, number>> = {};
    for (const table of TABLE_NAMES) copied[table] = await copyTable(source, target, table, batchSize, Boolean(options.restart), progress);
    progress.done();
    // Counts after the copy: a daemon writing to the source meanwhile shows up as a difference.
    const targetCounts = await target.read.stats.tableCounts();
    const progressRows = (await target.read.checkpoints.list(PROGRESS)).length;
    const results = TABLE_NAMES.map((table) => {
      const sourceNow = count(table);
      const targetNow = targetCounts[table] - (table === 'checkpoints' ? progressRows : 0);
      return { table, source: sourceNow, target: targetNow, copied: copied[table] ?? 0, equal: sourceNow === targetNow };
    });
    const equal = results.every((r) => r.equal);
    if (equal) await target.write((tx) => tx.db.deleteFrom('checkpoints').where('collector', '=', PROGRESS).execute(), { label: 'db copy cleanup' });
    if (options.json) printJson({ to: redactUrl(options.to), equal, tables: results });
    else {
      process.stdout.write(renderTable(results, [
        { header: 'TABLE', value: (r) => r.table },
        { header: 'SQLITE', value: (r) => r.source.toLocaleString('en-US'), align: 'right' },
        { header: 'POSTGRESQL', value: (r) => r.target.toLocaleString('en-US'), align: 'right' },
        { header: 'COPIED NOW', value: (r) => r.copied.toLocaleString('en-US'), align: 'right' },
        { header: 'EQUAL', value: (r) => (r.equal ? 'yes' : 'NO') },
      ], { colour: Boolean(process.stdout.isTTY) }));
    }
    if (!equal) {
      const differing = results.filter((r) => !r.equal).map((r) => r.table).join(', ');
      throw new GtcError('bad-data', `Row counts differ for ${differing} (was a daemon writing to the SQLite file?); stop it and run gtc db copy --restart --to … again.`);
    }
    if (!options.json) process.stdout.write(`Copied to ${redactUrl(options.to)}; every table's row count matches.\n`);
    return results;
  } finally {
    source.close();
    await target.close();
  }
}
