/**
 * `gtc db backup FILE` and `gtc db restore FILE` (SQLite). A backup uses SQLite's online backup API
 * in one step, under one read transaction: it is the database as of one commit, even while a
 * daemon keeps writing (WAL lets it). A restore refuses while a daemon uses the database, checks
 * the backup first, keeps the replaced file beside it, and swaps files by rename.
 */
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { GtcConfig } from '../../../config/index.ts';
import { GtcError } from '../../../lib/errors.ts';
import { parseDatabaseUrl, TABLE_NAMES } from '../../../store/index.ts';
import { printJson, UsageError } from '../../context.ts';
import { runningDaemon } from './presence.ts';

export interface DatabaseFileReport {
  file: string;
  bytes: number;
  integrity: string;
  counts: Record<string, number>;
}

function sqlitePath(config: GtcConfig, verb: string): string {
  const target = parseDatabaseUrl(config.database.url);
  if (target.dialect !== 'sqlite' || target.path === ':memory:') {
    throw new UsageError(`gtc db ${verb} works on a SQLite database file; for PostgreSQL use pg_dump / pg_restore.`);
  }
  return target.path;
}

/** Integrity check and row counts of a SQLite file, opened read-only. */
export function inspectDatabaseFile(file: string): DatabaseFileReport {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
    const tables = new Set((db.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[]).map((t) => t.name));
    const counts: Record<string, number> = {};
    for (const table of TABLE_NAMES) if (tables.has(table)) counts[table] = (db.prepare(`select count(*) as n from "${table}"`).get() as { n: number }).n;
    return { file, bytes: statSync(file).size, integrity, counts };
  } finally {
    db.close();
  }
}

/** Copies `source` to `destination` with the online backup API, all pages in one step (one consistent snapshot). */
async function onlineCopy(source: string, destination: string): Promise<void> {
  const db = new BetterSqlite3(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // The first step only starts the backup; returning the largest page count makes the next step copy every page at once.
    await db.backup(destination, { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
}

function removeSidecars(file: string): void {
  for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
}

export async function backupDatabase(config: GtcConfig, file: string, options: { force?: boolean; json?: boolean }): Promise<DatabaseFileReport> {
  const source = sqlitePath(config, 'backup');
  if (!existsSync(source)) throw new GtcError('db-down', `There is no database at ${source} to back up; check GTC_DATABASE_URL.`);
  const destination = resolve(file);
  if (destination === source) throw new UsageError('The backup file must not be the database itself; name another file.');
  if (!existsSync(dirname(destination))) throw new UsageError(`The folder ${dirname(destination)} does not exist; create it or choose another path for the backup.`);
  if (existsSync(destination) && !options.force) throw new UsageError(`${destination} already exists; choose a new file name or pass --force to replace it.`);
  const partial = `${destination}.partial`;
  rmSync(partial, { force: true });
  removeSidecars(partial);
  try {
    await onlineCopy(source, partial);
    const report = inspectDatabaseFile(partial);
    if (report.integrity !== 'ok') throw new GtcError('db-down', `The backup failed its integrity check (${report.integrity}); the database itself may be damaged: run gtc db health.`);
    removeSidecars(partial);
    renameSync(partial, destination);
    const done = { ...report, file: destination, bytes: statSync(destination).size };
    if (options.json) printJson(done);
    else process.stdout.write(`Backed up ${source} to ${destination} (${(done.bytes / 1024 / 1024).toFixed(1)} MiB, integrity ok): ${describeCounts(done.counts)}.\n`);
    return done;
  } finally {
    rmSync(partial, { force: true });
    removeSidecars(partial);
  }
}

export async function restoreDatabase(config: GtcConfig, file: string, options: { force?: boolean; json?: boolean }): Promise<DatabaseFileReport & { previous: string | null }> {
  const target = sqlitePath(config, 'restore');
  const backup = resolve(file);
  if (!existsSync(backup)) throw new UsageError(`There is no backup file at ${backup}.`);
  if (backup === target) throw new UsageError('The backup file is the database itself; name the backup to restore from.');
  let checked: DatabaseFileReport;
  try {
    checked = inspectDatabaseFile(backup);
  } catch (error) {
    throw new UsageError(`${backup} is not a readable SQLite database (${(error as Error).message}).`);
  }
  if (checked.integrity !== 'ok') throw new GtcError('bad-data', `${backup} fails its integrity check (${checked.integrity}); restore an older backup.`);
  if (!('collection_runs' in checked.counts)) throw new UsageError(`${backup} is a SQLite database but not a gtc one (it has no collection_runs table).`);

  if (existsSync(target) && !options.force) {
    const daemon = runningDaemon(target);
    if (daemon) throw new GtcError('db-locked', `Refusing to restore while a daemon uses ${target}: ${daemon}; stop it first, or pass --force.`);
  }

  const staging = resolve(dirname(target), `.${basename(target)}.restore-${process.pid}`);
  rmSync(staging, { force: true });
  await onlineCopy(backup, staging);
  removeSidecars(staging);

  let previous: string | null = null;
  if (existsSync(target)) {
    // Fold the old WAL into its file so the kept copy is complete on its own.
    try {
      const old = new BetterSqlite3(target, { fileMustExist: true });
      old.pragma('busy_timeout = 5000');
      old.pragma('wal_checkpoint(TRUNCATE)');
      old.close();
    } catch {
      // with --force a daemon may still hold it; the -wal file moves along below
    }
    previous = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(target, previous);
    for (const suffix of ['-wal', '-shm']) if (existsSync(`${target}${suffix}`)) renameSync(`${target}${suffix}`, `${previous}${suffix}`);
  }
  renameSync(staging, target);
  const report = { ...inspectDatabaseFile(target), previous };
  if (options.json) printJson(report);
  else process.stdout.write(`Restored ${target} from ${backup} (integrity ${report.integrity}): ${describeCounts(report.counts)}.${previous ? `\nThe replaced database is kept as ${previous}.` : ''}\n`);
  return report;
}

function describeCounts(counts: Record<string, number>): string {
  return ['pools', 'tokens', 'trades', 'ohlcv', 'pool_snapshots', 'collection_runs'].filter((t) => t in counts).map((t) => `${t} ${(counts[t] as number).toLocaleString('en-US')}`).join(', ');
}
