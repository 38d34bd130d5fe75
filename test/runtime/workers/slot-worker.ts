/**
 * A daemon child for the multi-process tests: one instance `slot-test` (database-bound) on a
 * clock shared by every child (same simulated start and speed), printing JSON lines:
 *   {event:'ready', owner, at} {event:'run-start', runId, slot, at, pid} {event:'run-end', ...} {event:'done'}
 * It stops at `untilSim`, or gracefully on SIGTERM/SIGINT.
 *   node --import tsx test/runtime/workers/slot-worker.ts '<json WorkerConfig>'
 * Each run waits runMs (simulated), then writes `writes` transactions of 50 checkpoint rows.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { CollectorInstance } from '../../../src/collectors/types.ts';
import { createLogger } from '../../../src/lib/log.ts';
import { createDaemon } from '../../../src/runtime/daemon.ts';
import { stopOnSignals } from '../../../src/runtime/shutdown.ts';
import { ScaledClock } from '../../../src/lib/clock.ts';
import { openStore } from '../../../src/store/index.ts';
import { recoveryConfig } from '../harness.ts';

export interface WorkerConfig {
  url: string;
  simStart: number;
  realStart: number;
  speed: number;
  intervalMs: number;
  claimTimeoutMs: number;
  runMs: number;
  /** Simulated time at which the worker stops (it may be killed before). */
  untilSim: number;
  writes?: number;
  /**
   * A file the test may write a slot number into: the run of the first slot at or after it
   * freezes the whole process right after its run-start line (no heartbeat, no end), so a kill
   * lands mid-run however slowly a loaded machine delivers that line to the test.
   */
  freezeFile?: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
const clock = new ScaledClock(config.simStart + (Date.now() - config.realStart) * config.speed, config.speed);
const emit = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ ...line, pid: process.pid })}\n`);
};

function shouldFreeze(slot: number): boolean {
  if (!config.freezeFile || !existsSync(config.freezeFile)) return false;
  const from = Number(readFileSync(config.freezeFile, 'utf8'));
  return Number.isFinite(from) && from > 0 && slot >= from;
}

const store = await openStore({ url: config.url, checkpointEveryMs: 0, migrate: false, poolSize: 3 });
const instance: CollectorInstance = {
  name: 'slot-test',
  collector: 'dexes',
  intervalMs: config.intervalMs,
  dependsOn: 'database',
  async run(ctx) {
    const run = await store.read.runs.get(ctx.runId);
    const slot = run?.slotStart ?? null;
    emit({ event: 'run-start', runId: ctx.runId, slot, at: clock.now() });
    if (slot !== null && shouldFreeze(slot)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    await ctx.clock.sleep(config.runMs, ctx.signal);
    const writes = config.writes ?? 1;
    for (let w = 0; w < writes; w++) {
      const entries = Array.from({ length: 50 }, (_, i) => ({ key: `slot-${slot}-${w}-${i}`, value: String(process.pid) }));
      await store.write(async (tx) => {
        await tx.checkpoints.setMany('slot-test', entries, Math.floor(clock.now() / 1000));
        await tx.runs.addCounts(ctx.runId, entries.length);
      });
    }
    emit({ event: 'run-end', runId: ctx.runId, slot, at: clock.now() });
    return { rowsWritten: writes * 50, rejected: 0, rejections: [], pages: writes, apiCalls: 0 };
  },
};

const logger = createLogger({ level: process.env.GTC_TEST_LOG ?? 'silent' });
const daemon = createDaemon({
  config: { recovery: recoveryConfig({ claimTimeout: config.claimTimeoutMs, runTimeout: 60_000, probeInterval: 1000 }) },
  store, instances: [instance], probes: { api: async () => {} }, clock, logger,
});
const shutdown = stopOnSignals({ daemon, store, logger });
await daemon.start();
emit({ event: 'ready', owner: daemon.owner, at: clock.now() });
const timer = new AbortController();
const stoppedBy = await Promise.race([shutdown.done, clock.sleep(Math.max(0, config.untilSim - clock.now()), timer.signal).then(() => 'time' as const, () => 'signal')]);
timer.abort();
if (stoppedBy === 'time') {
  shutdown.dispose();
  await daemon.stop();
  await store.close();
}
emit({ event: 'done', stoppedBy });
