/**
 * Collector instances run the way the daemon runs them, without the daemon: each in its own loop,
 * one run per interval with a collection_runs row, all concurrently on the shared clock (the
 * ClockDriver moves it). Used by the accuracy tests, the crash worker and the coverage benchmark.
 */
import type { CollectorInstance, RunSummary } from '../../../src/collectors/types.ts';
import type { Clock } from '../../../src/lib/clock.ts';
import type { Logger } from '../../../src/lib/log.ts';
import type { Store } from '../../../src/store/index.ts';

export interface LoopDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  instanceId: string;
}

/** One run with its collection_runs row ('ok', or 'failed' with the error, which is rethrown). */
export async function runInstance(deps: LoopDeps, instance: CollectorInstance, signal: AbortSignal = new AbortController().signal): Promise<RunSummary & { runId: number }> {
  const startedAt = Math.floor(deps.clock.now() / 1000);
  const runId = await deps.store.write((tx) => tx.runs.start({ collector: instance.name, instanceId: deps.instanceId, startedAt }));
  try {
    const summary = await instance.run({ runId, signal, clock: deps.clock, logger: deps.logger });
    await deps.store.write((tx) => tx.runs.finish(runId, { finishedAt: Math.floor(deps.clock.now() / 1000), status: 'ok' }));
    return { ...summary, runId };
  } catch (error) {
    await deps.store.write((tx) => tx.runs.finish(runId, { finishedAt: Math.floor(deps.clock.now() / 1000), status: 'failed', error: String(error) }));
    throw error;
  }
}

/** Runs every instance on its interval until `untilMs` (simulated) or the signal; resolves with all summaries. */
export async function runLoops(deps: LoopDeps, instances: readonly CollectorInstance[], untilMs: number, signal: AbortSignal = new AbortController().signal): Promise<Map<string, RunSummary[]>> {
  const summaries = new Map<string, RunSummary[]>(instances.map((i) => [i.name, []]));
  await Promise.all(instances.map(async (instance) => {
    while (deps.clock.now() < untilMs && !signal.aborted) {
      const started = deps.clock.now();
      summaries.get(instance.name)?.push(await runInstance(deps, instance, signal));
      const next = started + instance.intervalMs;
      if (next >= untilMs) break;
      await deps.clock.sleep(Math.max(0, next - deps.clock.now()), signal);
    }
  }));
  return summaries;
}
