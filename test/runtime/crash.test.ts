/**
 * Killing daemon children: kill -9 at random moments never corrupts the database and the killed
 * run is closed as 'abandoned' at the next start; SIGTERM stops gracefully; a second SIGTERM
 * exits at once with code 130, still without corruption.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openStore } from '../../src/store/index.ts';
import { tempDir } from '../support/temp-dir.ts';
import { Worker } from './processes.ts';
import type { WorkerConfig } from './workers/slot-worker.ts';

const KILLS = 8;

function config(url: string, writes: number, runMs = 100): WorkerConfig {
  const simStart = Date.UTC(2025, 0, 1);
  return { url, simStart, realStart: Date.now(), speed: 8, intervalMs: 1000, claimTimeoutMs: 3000, runMs, untilSim: simStart + 10 * 60_000, writes };
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The run a worker had started and not finished when it died, if any. */
function unfinishedRun(worker: Worker): number | undefined {
  const ended = new Set(worker.events.filter((e) => e.event === 'run-end').map((e) => e.runId));
  return worker.events.filter((e) => e.event === 'run-start' && !ended.has(e.runId)).at(-1)?.runId;
}

describe('crashes and signals', { timeout: 90_000 }, () => {
  it(`kill -9 at ${KILLS} random moments: integrity_check ok after each, the killed run marked abandoned at restart`, async (t) => {
    const url = `sqlite:${join(tempDir(t), 'crash.sqlite')}`;
    const store = await openStore({ url, checkpointEveryMs: 0 });
    t.after(() => store.close());
    const killedRuns: number[] = [];
    let previous: number | undefined;
    for (let i = 0; i <= KILLS; i++) {
      // Runs wait 600 ms (simulated: 75 ms) then write 40 transactions: most of the time is mid-run.
      const worker = new Worker(config(url, 40, 600));
      try {
        await worker.waitFor((e) => e.event === 'ready');
        if (previous !== undefined) assert.equal((await store.read.runs.get(previous))?.status, 'abandoned', `run ${previous} abandoned after restart ${i}`);
        if (i === KILLS) {
          worker.kill('SIGTERM');
          assert.equal((await worker.exited).code, 0);
          break;
        }
        await worker.waitFor((e) => e.event === 'run-start');
        await pause(Math.random() * 100);
        worker.kill('SIGKILL');
        await worker.exited;
        assert.equal(await store.integrityCheck(), 'ok');
        previous = unfinishedRun(worker);
        if (previous !== undefined) killedRuns.push(previous);
      } finally {
        worker.kill('SIGKILL');
        await worker.exited;
      }
    }
    assert.ok(killedRuns.length >= KILLS / 2, `most kills landed mid-run (${killedRuns.length}/${KILLS})`);
    const statuses = await store.db.selectFrom('collection_runs').select(['status']).execute();
    assert.ok(statuses.every((r) => r.status !== 'running'), 'no run is left running');
    assert.equal(await store.integrityCheck(), 'ok');
  });

  it('SIGTERM stops gracefully (exit 0, no run left running); a second signal exits at once with 130', async (t) => {
    const url = `sqlite:${join(tempDir(t), 'signals.sqlite')}`;
    const store = await openStore({ url, checkpointEveryMs: 0 });
    t.after(() => store.close());

    const graceful = new Worker(config(url, 20));
    await graceful.waitFor((e) => e.event === 'run-start');
    graceful.kill('SIGTERM');
    assert.equal((await graceful.exited).code, 0);
    const afterGraceful = await store.db.selectFrom('collection_runs').select(['status', 'error']).execute();
    assert.ok(afterGraceful.length > 0 && afterGraceful.every((r) => r.status === 'ok' || (r.status === 'failed' && r.error === 'interrupted by shutdown')), JSON.stringify(afterGraceful));

    // A run busy with 2,000 write transactions: the first signal waits for it, the second does not.
    const impatient = new Worker(config(url, 2000));
    await impatient.waitFor((e) => e.event === 'run-start');
    await pause(100);
    impatient.kill('SIGTERM');
    await pause(50); // two signals sent at once would merge into one
    impatient.kill('SIGTERM');
    const exit = await impatient.exited;
    assert.equal(exit.code, 130);
    assert.equal(await store.integrityCheck(), 'ok');
  });
});
