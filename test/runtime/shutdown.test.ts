import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { it } from 'node:test';
import type { CollectorInstance } from '../../src/collectors/types.ts';
import { createDaemon } from '../../src/runtime/daemon.ts';
import { stopOnSignals } from '../../src/runtime/shutdown.ts';
import { openStore } from '../../src/store/index.ts';
import { tempDir } from '../support/temp-dir.ts';
import { recoveryConfig, testLogger } from './harness.ts';

const summary = { rowsWritten: 1, rejected: 0, rejections: [], pages: 1, apiCalls: 1 };

it('the first signal aborts network waits, lets a write in progress commit, then closes the database; a second exits with 130', async (t) => {
  const url = `sqlite:${join(tempDir(t), 'shutdown.sqlite')}`;
  const store = await openStore({ url, checkpointEveryMs: 0 });
  let insideWrite: () => void = () => undefined;
  const writing = new Promise<void>((resolve) => (insideWrite = resolve));
  let finishWrite: () => void = () => undefined;
  const writeMayFinish = new Promise<void>((resolve) => (finishWrite = resolve));
  let fetchAborted = false;

  const writer: CollectorInstance = {
    name: 'writer', collector: 'watchlist', intervalMs: 60_000, dependsOn: 'database',
    async run(ctx) {
      await store.write(async (tx) => {
        await tx.checkpoints.set('writer', 'first', '1', 0);
        insideWrite();
        await writeMayFinish; // a transaction still in progress when the signal arrives
        await tx.checkpoints.set('writer', 'second', '2', 0);
        await tx.runs.addCounts(ctx.runId, 2);
      });
      return summary;
    },
  };
  const fetcher: CollectorInstance = {
    name: 'fetcher', collector: 'trades', intervalMs: 60_000, dependsOn: 'api',
    async run(ctx) {
      try {
        await ctx.clock.sleep(3_600_000, ctx.signal); // a network wait
      } catch (error) {
        fetchAborted = true;
        throw error;
      }
      return summary;
    },
  };

  const daemon = createDaemon({ config: { recovery: recoveryConfig() }, store, instances: [writer, fetcher], probes: { api: async () => {} }, logger: testLogger(), jitterMaxMs: 0 });
  const signals = new EventEmitter();
  const exits: number[] = [];
  const shutdown = stopOnSignals({ daemon, store, logger: testLogger(), emitter: signals as unknown as NodeJS.Process, exit: (code) => exits.push(code) });
  await daemon.start();
  await writing;

  signals.emit('SIGTERM', 'SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(fetchAborted, true, 'the network wait was aborted at once');
  let stopped = false;
  void shutdown.done.then(() => (stopped = true));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(stopped, false, 'still waiting for the write in progress');
  finishWrite();
  assert.equal(await shutdown.done, 'SIGTERM');
  assert.equal(daemon.state, 'stopped');

  signals.emit('SIGINT', 'SIGINT');
  assert.deepEqual(exits, [130], 'a second signal exits at once');
  shutdown.dispose();

  const check = await openStore({ url, checkpointEveryMs: 0 });
  try {
    assert.equal((await check.read.checkpoints.get('writer', 'second'))?.value, '2', 'the write in progress committed');
    const runs = await check.read.runs.recent();
    const byName = Object.fromEntries(runs.map((r) => [r.collector, r]));
    assert.equal(byName.writer?.status, 'ok');
    assert.equal(byName.writer?.rowsWritten, 2);
    assert.equal(byName.fetcher?.status, 'failed');
    assert.equal(byName.fetcher?.error, 'interrupted by shutdown');
    const claim = await check.read.slotClaims.get('fetcher', byName.fetcher?.slotStart ?? -1);
    assert.ok(claim && claim.finishedAt === null && claim.expiresAt < Math.floor(Date.now() / 1000), 'the interrupted slot is released for another process');
    assert.equal(await check.integrityCheck(), 'ok');
  } finally {
    await check.close();
  }
});
