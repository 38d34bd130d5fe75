/** Runs the incident workload: N worker processes on one SQLite file, in one mode, at once. */
import { fileURLToPath } from 'node:url';
import { jsonLines, runTs } from '../../test/support/child.ts';
import type { WorkerReport } from '../workers/contention-worker.ts';

const WORKER = fileURLToPath(new URL('../workers/contention-worker.ts', import.meta.url));

/** Starts `workers` processes that begin together (after all have loaded) and run `durationMs`. */
export async function runContention(file: string, mode: 'store' | 'deferred', workers: number, durationMs: number): Promise<WorkerReport[]> {
  const startAt = Date.now() + 3000;
  const results = await Promise.all(
    Array.from({ length: workers }, (_, w) => runTs(WORKER, [file, String(w), mode, String(startAt), String(durationMs)])),
  );
  return results.map((result, w) => {
    const report = jsonLines<WorkerReport>(result.stdout)[0];
    if (result.code !== 0 || !report) throw new Error(`contention worker ${w} (${mode}) exited with ${result.code}: ${result.stderr.slice(-2000)}`);
    return report;
  });
}
