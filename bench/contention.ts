/**
 * `npm run bench -- contention [--seconds N] [--workers N]`
 *
 * The incident workload (bench/workers/contention-worker.ts): N processes upsert overlapping
 * 20-pool pages into one SQLite file for N seconds — through gtc's write path, and with the
 * deferred read-then-write pattern of the system it replaces (baseline). Reports committed
 * transactions/s, failed transactions, p99 and max wait for the write lock, and the smallest
 * per-process share of commits (1.0 = perfectly even).
 */
import { join } from 'node:path';
import { openStore } from '../src/store/index.ts';
import { tempDir } from '../test/support/temp-dir.ts';
import { runContention } from './lib/contention.ts';
import { ratio, report } from './lib/report.ts';
import { summarize } from './lib/stats.ts';
import type { WorkerReport } from './workers/contention-worker.ts';

interface Outcome {
  txPerS: number;
  failed: number;
  p99: number;
  max: number;
  minShare: number;
  shares: number[];
  failures: Record<string, number>;
}

function outcome(reports: WorkerReport[], seconds: number): Outcome {
  const committed = reports.map((r) => r.committed);
  const total = committed.reduce((s, c) => s + c, 0);
  const waits = summarize(reports.flatMap((r) => r.waits));
  const shares = committed.map((c) => Math.round((total ? (c * reports.length) / total : 0) * 1000) / 1000);
  const failures: Record<string, number> = {};
  for (const r of reports) for (const [code, n] of Object.entries(r.failures)) failures[code] = (failures[code] ?? 0) + n;
  return {
    txPerS: Math.round((total / seconds) * 10) / 10,
    failed: reports.reduce((s, r) => s + r.failed, 0),
    p99: waits.p99,
    max: waits.max,
    minShare: Math.min(...shares),
    shares,
    failures,
  };
}

async function measure(mode: 'store' | 'deferred', workers: number, seconds: number): Promise<Outcome> {
  const file = join(tempDir(), 'contention.sqlite');
  await (await openStore({ url: `sqlite:${file}` })).close();
  return outcome(await runContention(file, mode, workers, seconds * 1000), seconds);
}

export async function run(args: string[]): Promise<void> {
  const option = (name: string, fallback: number): number => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const seconds = option('seconds', 10);
  const workers = option('workers', 4);
  const ours = await measure('store', workers, seconds);
  const old = await measure('deferred', workers, seconds);
  const common = { bench: 'contention', baseline: 'deferred-read-then-write', processes: workers, seconds };
  report({ ...common, metric: 'committed_tx_per_s', value: ours.txPerS, unit: 'tx/s', baselineValue: old.txPerS, ratio: ratio(ours.txPerS, old.txPerS) });
  report({ ...common, metric: 'failed_tx', value: ours.failed, unit: 'tx', baselineValue: old.failed, ratio: ratio(ours.failed, old.failed), failures: ours.failures, baselineFailures: old.failures });
  report({ ...common, metric: 'lock_wait_p99', value: ours.p99, unit: 'ms', baselineValue: old.p99, ratio: ratio(ours.p99, old.p99) });
  report({ ...common, metric: 'lock_wait_max', value: ours.max, unit: 'ms', baselineValue: old.max, ratio: ratio(ours.max, old.max) });
  report({ ...common, metric: 'min_process_share', value: ours.minShare, unit: 'share', baselineValue: old.minShare, ratio: ratio(ours.minShare, old.minShare), shares: ours.shares, baselineShares: old.shares });
}
