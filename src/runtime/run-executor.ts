/**
 * Runs one collector run under a time limit. The limit aborts the run's signal (its network
 * waits); a collector that ignores the abort is given a short grace, then left behind as a
 * "hung" run that the caller must wait for before starting another (never two runs at once).
 * Shutdown aborts the signal too, but the run is then awaited, so a write in progress commits.
 */
import type { CollectorInstance, RunSummary } from '../collectors/types.ts';
import type { Clock } from '../lib/clock.ts';
import { GtcError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';

/** A run that exceeded recovery.runTimeout: its dependency is treated as down (a hang). */
export class RunTimeoutError extends GtcError {
  constructor(instance: string, timeoutMs: number, dependsOn: CollectorInstance['dependsOn']) {
    super(dependsOn === 'api' ? 'api-down' : 'db-down', `run of ${instance} exceeded its time limit of ${timeoutMs} ms`);
  }
}

export interface ExecuteOptions {
  instance: CollectorInstance;
  runId: number;
  clock: Clock;
  logger: Logger;
  timeoutMs: number;
  /** Aborted at shutdown: the run's network waits stop, its write transaction still commits. */
  stopSignal: AbortSignal;
  /** How long a timed-out run may take to stop before it is left behind as hung. */
  graceMs: number;
  /** Called every `everyMs` while the run lasts (renews the slot claim). */
  heartbeat?: { everyMs: number; beat: () => Promise<void> };
}

export type ExecuteResult =
  | { ok: true; summary: RunSummary }
  | { ok: false; error: unknown; timedOut: boolean; interrupted: boolean; summary?: RunSummary; hung?: Promise<unknown> };

type Settled = { ok: true; summary: RunSummary } | { ok: false; error: unknown };

export async function executeRun(options: ExecuteOptions): Promise<ExecuteResult> {
  const { instance, clock, logger, stopSignal } = options;
  const limit = new AbortController();
  const cleanup = new AbortController();
  const signal = AbortSignal.any([limit.signal, stopSignal]);
  const timeoutError = new RunTimeoutError(instance.name, options.timeoutMs, instance.dependsOn);

  const limitReached = clock.sleep(options.timeoutMs, cleanup.signal).then(
    () => {
      limit.abort(timeoutError);
      return 'timeout' as const;
    },
    () => 'cancelled' as const,
  );
  if (options.heartbeat) void heartbeatLoop(options.heartbeat, clock, cleanup.signal, logger);

  const settled: Promise<Settled> = Promise.resolve()
    .then(() => instance.run({ runId: options.runId, signal, clock, logger }))
    .then((summary) => ({ ok: true as const, summary }), (error: unknown) => ({ ok: false as const, error }));

  try {
    const first = await Promise.race([settled, limitReached.then((r) => (r === 'timeout' ? r : new Promise<never>(() => {})))]);
    if (first !== 'timeout') {
      if (first.ok) return first;
      return { ok: false, error: first.error, timedOut: false, interrupted: stopSignal.aborted };
    }
    logger.warn({ timeoutMs: options.timeoutMs }, 'run exceeded its time limit; aborting it');
    const afterAbort = await Promise.race([settled, clock.sleep(options.graceMs, cleanup.signal).then(() => 'hung' as const, () => 'hung' as const)]);
    if (afterAbort === 'hung') {
      logger.error({ graceMs: options.graceMs }, 'run ignored its abort signal; the next run waits until it ends');
      return { ok: false, error: timeoutError, timedOut: true, interrupted: false, hung: settled };
    }
    return { ok: false, error: timeoutError, timedOut: true, interrupted: false, ...(afterAbort.ok ? { summary: afterAbort.summary } : {}) };
  } finally {
    cleanup.abort();
  }
}

async function heartbeatLoop(heartbeat: NonNullable<ExecuteOptions['heartbeat']>, clock: Clock, signal: AbortSignal, logger: Logger): Promise<void> {
  while (!signal.aborted) {
    try {
      await clock.sleep(heartbeat.everyMs, signal);
    } catch {
      return;
    }
    try {
      await heartbeat.beat();
    } catch (err) {
      logger.warn({ err }, 'could not renew the slot claim');
    }
  }
}
