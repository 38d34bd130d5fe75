/**
 * One process of the incident workload: upserts overlapping 20-pool pages into one SQLite file
 * for a fixed time, each page with a checkpoint row in the same transaction.
 *
 *   node --import tsx bench/workers/contention-worker.ts FILE WORKER MODE START_AT_MS DURATION_MS
 *
 * MODE `store`: gtc's write path (queue, BEGIN IMMEDIATE, retry, breaker).
 * MODE `deferred`: the pattern of the incident — deferred BEGIN, read which pools exist, then
 * UPDATE or INSERT row by row, no retry (busy_timeout 5 s is set, as it was).
 * Prints one JSON line: commits, failures by error code, lock-wait statistics.
 */
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { openStore } from '../../src/store/index.ts';
import { makePool } from '../../test/support/records.ts';
import { POOLS } from '../../src/store/repositories/pools.ts';
import { summarize } from '../lib/stats.ts';
import { isMain } from '../../test/support/child.ts';

export const UNIVERSE = 200;
export const PAGE = 20;

/** Pool indexes of page `page` written by `worker`: pages of different workers overlap. */
export function pagePools(worker: number, page: number): number[] {
  const start = (worker * 50 + page * PAGE) % UNIVERSE;
  return Array.from({ length: PAGE }, (_, k) => (start + k) % UNIVERSE);
}

export interface WorkerReport {
  worker: number;
  mode: string;
  committed: number;
  failed: number;
  failures: Record<string, number>;
  lockWait: ReturnType<typeof summarize>;
  /** Every lock wait in ms (rounded to µs), for percentiles across processes. */
  waits: number[];
}

async function runStore(file: string, worker: number, until: number, waits: number[]): Promise<{ committed: number; failed: number; failures: Record<string, number> }> {
  const store = await openStore({ url: `sqlite:${file}`, hooks: { onLockWait: (ms) => waits.push(ms) } });
  let committed = 0;
  let failed = 0;
  const failures: Record<string, number> = {};
  for (let page = 0; performance.now() < until; page++) {
    const pools = pagePools(worker, page).map((i) => makePool(i));
    try {
      await store.write(async (tx) => {
        await tx.pools.upsert(pools);
        await tx.checkpoints.set(`worker${worker}`, `page${page}`, String(pools.length), 1_750_000_000);
      });
      committed++;
    } catch (error) {
      failed++;
      const code = String((error as { failureClass?: string }).failureClass ?? (error as { code?: string }).code ?? 'error');
      failures[code] = (failures[code] ?? 0) + 1;
    }
  }
  await store.close();
  return { committed, failed, failures };
}

function runDeferred(file: string, worker: number, until: number, waits: number[]): { committed: number; failed: number; failures: Record<string, number> } {
  const db = new BetterSqlite3(file);
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  const columns = POOLS.columns.map((c) => c.column);
  const insert = db.prepare(`insert into pools (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`);
  const update = db.prepare(`update pools set ${columns.slice(1).map((c) => `${c} = ?`).join(', ')} where id = ?`);
  const checkpoint = db.prepare('insert into checkpoints (collector, key, value, updated_at) values (?, ?, ?, ?)');
  const exists = db.prepare(`select id from pools where id in (${Array.from({ length: PAGE }, () => '?').join(', ')})`).pluck();
  let committed = 0;
  let failed = 0;
  const failures: Record<string, number> = {};
  for (let page = 0; performance.now() < until; page++) {
    const pools = pagePools(worker, page).map((i) => makePool(i));
    const rows = pools.map((p) => POOLS.columns.map((c) => {
      const v = (p as unknown as Record<string, unknown>)[c.field];
      return c.kind === 'json' ? JSON.stringify(v) : v ?? null;
    }));
    const requested = performance.now();
    try {
      db.exec('BEGIN');
      const present = new Set(exists.all(pools.map((p) => p.id)) as string[]);
      let first = true;
      for (const row of rows) {
        if (present.has(row[0] as string)) update.run([...row.slice(1), row[0]]);
        else insert.run(row);
        if (first) waits.push(performance.now() - requested);
        first = false;
      }
      checkpoint.run(`worker${worker}`, `page${page}`, String(pools.length), 1_750_000_000);
      db.exec('COMMIT');
      committed++;
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      failed++;
      const code = String((error as { code?: string }).code ?? 'error');
      failures[code] = (failures[code] ?? 0) + 1;
    }
  }
  db.close();
  return { committed, failed, failures };
}

async function main(): Promise<void> {
  const [file, workerArg, mode, startAtArg, durationArg] = process.argv.slice(2);
  if (!file || !workerArg || !mode || !startAtArg || !durationArg) throw new Error('usage: FILE WORKER MODE START_AT_MS DURATION_MS');
  const worker = Number(workerArg);
  const startAt = Number(startAtArg);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
  const until = performance.now() + Number(durationArg);
  const waits: number[] = [];
  const result = mode === 'store' ? await runStore(file, worker, until, waits) : runDeferred(file, worker, until, waits);
  const report: WorkerReport = { worker, mode, ...result, lockWait: summarize(waits), waits: waits.map((w) => Math.round(w * 1000) / 1000) };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

if (isMain(import.meta.url)) await main();
