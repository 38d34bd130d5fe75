/** `gtc db health`: connectivity, latency, write-lock wait, WAL and checkpoints, a quick integrity check, advice. */
import { sql } from 'kysely';
import { redactUrl, type GtcConfig } from '../../../config/index.ts';
import { errorMessage } from '../../../lib/errors.ts';
import type { Store } from '../../../store/index.ts';
import { printJson } from '../../context.ts';
import { paint } from '../../output/table.ts';
import { openExistingStore } from './open.ts';

type PoolInfo = { total: number; idle: number; waiting: number };

export interface DbHealthReport {
  database: string;
  dialect: 'sqlite' | 'postgres';
  ok: boolean;
  latencyMs: number | null;
  writeLockWaitMs: number | null;
  sqlite: { journalMode: string; synchronous: string; walSizeBytes: number; walAutocheckpointPages: number; pageSize: number; pageCount: number; freelistCount: number } | null;
  postgres: { version: string; sizeBytes: number; connections: number; waitingOnLocks: number; pool: PoolInfo | null } | null;
  integrity: { check: string; result: string; ok: boolean };
  recommendations: string[];
  error: string | null;
}

const SYNCHRONOUS = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];
const MiB = 1024 * 1024;

async function one<T>(store: Store, query: ReturnType<typeof sql<T>>): Promise<T | undefined> {
  return (await query.execute(store.db)).rows[0];
}

async function sqliteDetails(store: Store, walSizeBytes: number | undefined): Promise<NonNullable<DbHealthReport['sqlite']>> {
  const value = async (pragma: string): Promise<unknown> => Object.values((await one<Record<string, unknown>>(store, sql`${sql.raw(`pragma ${pragma}`)}`)) ?? {})[0];
  return {
    journalMode: String(await value('journal_mode')),
    // The read connection reports its own setting; the write path sets the configured one on its connection.
    synchronous: SYNCHRONOUS[Number(await value('synchronous'))] ?? 'unknown',
    walSizeBytes: walSizeBytes ?? 0,
    walAutocheckpointPages: Number(await value('wal_autocheckpoint')),
    pageSize: Number(await value('page_size')),
    pageCount: Number(await value('page_count')),
    freelistCount: Number(await value('freelist_count')),
  };
}

async function postgresDetails(store: Store, pool: PoolInfo | null): Promise<NonNullable<DbHealthReport['postgres']>> {
  const row = await one<{ version: string; size: string; connections: string; waiting: string }>(
    store,
    sql`select version() as version, pg_database_size(current_database()) as size,
        (select count(*) from pg_stat_activity where datname = current_database()) as connections,
        (select count(*) from pg_locks where not granted) as waiting`,
  );
  return { version: String(row?.version ?? '').split(' on ')[0] ?? '', sizeBytes: Number(row?.size ?? 0), connections: Number(row?.connections ?? 0), waitingOnLocks: Number(row?.waiting ?? 0), pool };
}

function recommendations(r: DbHealthReport, config: GtcConfig): string[] {
  const out: string[] = [];
  if (!r.ok) out.push(`The database did not answer (${r.error ?? 'unknown error'}); check that ${r.dialect === 'sqlite' ? 'the file and its folder are readable and writable' : 'the PostgreSQL server is running and the URL, user and password are right'}.`);
  if (!r.integrity.ok) out.push('The integrity check failed: stop gtc and restore the newest good backup with gtc db restore FILE.');
  if (r.writeLockWaitMs !== null && r.writeLockWaitMs > 1000) out.push(`Waiting ${Math.round(r.writeLockWaitMs)} ms for the write lock means another process holds long write transactions; look for scripts or tools writing to this database.`);
  if (r.sqlite) {
    if (r.sqlite.journalMode.toLowerCase() !== 'wal') out.push(`journal_mode is ${r.sqlite.journalMode}; gtc sets WAL when it opens the database, so start gtc (or run gtc migrate) once.`);
    if (r.sqlite.walSizeBytes > 64 * MiB) out.push(`The WAL is ${(r.sqlite.walSizeBytes / MiB).toFixed(0)} MiB: a long-lived reader (an open query tool, a backup) keeps checkpoints from completing; close it and the daemon's checkpoint will shrink the WAL.`);
    const free = r.sqlite.freelistCount / Math.max(1, r.sqlite.pageCount);
    if (free > 0.25 && r.sqlite.freelistCount * r.sqlite.pageSize > 64 * MiB) out.push(`${(free * 100).toFixed(0)}% of the file is free pages; run VACUUM while gtc is stopped to give ${((r.sqlite.freelistCount * r.sqlite.pageSize) / MiB).toFixed(0)} MiB back to the disk.`);
    if (config.database.synchronous === 'NORMAL') out.push('synchronous=NORMAL: a power loss can lose the last transactions (never corrupt the file); set database.synchronous: FULL if that matters more than write speed.');
  }
  if (r.postgres && r.postgres.waitingOnLocks > 0) out.push(`${r.postgres.waitingOnLocks} PostgreSQL lock request(s) are waiting; see pg_locks joined with pg_stat_activity for the blocking query.`);
  return out;
}

export async function databaseHealth(config: GtcConfig): Promise<DbHealthReport> {
  const store = await openExistingStore(config);
  try {
    const probe = await store.probe();
    let integrity: DbHealthReport['integrity'];
    try {
      if (store.dialect === 'sqlite') {
        const rows = (await sql<Record<string, unknown>>`pragma quick_check`.execute(store.db)).rows.map((row) => String(Object.values(row)[0]));
        integrity = { check: 'quick_check', result: rows.join('; '), ok: rows.length === 1 && rows[0] === 'ok' };
      } else {
        const result = await store.integrityCheck();
        integrity = { check: 'connection', result, ok: result === 'ok' };
      }
    } catch (error) {
      integrity = { check: store.dialect === 'sqlite' ? 'quick_check' : 'connection', result: errorMessage(error), ok: false };
    }
    const report: DbHealthReport = {
      database: redactUrl(config.database.url),
      dialect: store.dialect,
      ok: probe.ok,
      latencyMs: probe.ok ? probe.latencyMs : null,
      writeLockWaitMs: probe.ok ? probe.writeLockWaitMs : null,
      sqlite: store.dialect === 'sqlite' && probe.ok ? await sqliteDetails(store, probe.walSizeBytes) : null,
      postgres: store.dialect === 'postgres' && probe.ok ? await postgresDetails(store, probe.pool ?? null) : null,
      integrity,
      recommendations: [],
      error: probe.error ?? null,
    };
    report.recommendations = recommendations(report, config);
    return report;
  } finally {
    await store.close();
  }
}

export async function runDbHealth(config: GtcConfig, options: { json?: boolean }): Promise<void> {
  const report = await databaseHealth(config);
  if (options.json) printJson(report);
  else process.stdout.write(renderHealth(report, Boolean(process.stdout.isTTY)));
  if (!report.ok || !report.integrity.ok) process.exitCode = 1;
}

function renderHealth(r: DbHealthReport, colour: boolean): string {
  const mark = (ok: boolean) => (ok ? paint('ok', 'green', colour) : paint('FAILED', 'red', colour));
  const lines = [
    `Database        ${r.database} (${r.dialect})`,
    `Connectivity    ${mark(r.ok)}${r.error ? `: ${r.error}` : ''}`,
    `Query latency   ${r.latencyMs ?? '-'} ms`,
    `Write-lock wait ${r.writeLockWaitMs ?? '-'} ms`,
  ];
  if (r.sqlite) {
    lines.push(`Journal         ${r.sqlite.journalMode}, synchronous ${r.sqlite.synchronous} (read connection)`);
    lines.push(`WAL             ${(r.sqlite.walSizeBytes / MiB).toFixed(2)} MiB, auto-checkpoint every ${r.sqlite.walAutocheckpointPages} pages`);
    lines.push(`File            ${((r.sqlite.pageCount * r.sqlite.pageSize) / MiB).toFixed(1)} MiB, ${r.sqlite.freelistCount} free pages`);
  }
  if (r.postgres) {
    lines.push(`Server          ${r.postgres.version}, database ${(r.postgres.sizeBytes / MiB).toFixed(1)} MiB`);
    lines.push(`Connections     ${r.postgres.connections}, lock requests waiting ${r.postgres.waitingOnLocks}`);
  }
  lines.push(`Integrity       ${mark(r.integrity.ok)} (${r.integrity.check}: ${r.integrity.result})`);
  if (r.recommendations.length) lines.push('', 'Recommendations:', ...r.recommendations.map((text) => `  - ${text}`));
  return `${lines.join('\n')}\n`;
}
