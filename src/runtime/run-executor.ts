/**
 * Runs one collector run under a time limit. The limit aborts the run's signal (its network
 * waits); a collector that ignores the abort is given a short grace, then left behind as a
 * "hung" run that the caller must wait for before starting another (never two runs at once).
 * Shutdown aborts the signal too, but the run is then awaited, so a write in progress commits.
 * So does the heartbeat when it finds the slot claim taken over by another process.
 */
import type { CollectorInstance, RunSummary } from '../collectors/types.ts';
import type { Clock } from '../lib/clock.ts';
import { errorMessage, GtcError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { linkSignals } from '../lib/signals.ts';

/**
 * The run's slot claim was taken over by another process (the claim expired before a renewal
 * committed): the run stops and leaves the slot to that process. Not a failure of the collector.
 */
export class SlotClaimLostError extends Error {
  constructor(instance: string) {
    super(`${instance} lost its slot claim to another process; the run stops and leaves the slot to it`);
    this.name = 'SlotClaimLostError';
  }
}

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
  /**
   * Renews the slot claim every `everyMs` while the run lasts, or `retryMs` after a renewal that
   * failed. A renewal that answers false (another process holds the claim now) stops the run.
   */
  heartbeat?: { everyMs: number; retryMs: number; beat: () => Promise<boolean> };
}

export type ExecuteResult =
  | { ok: true; summary: RunSummary }
  | { ok: false; error: unknown; timedOut: boolean; interrupted: boolean; claimLost?: true; summary?: RunSummary; hung?: Promise<unknown> };

type Settled = { ok: true; summary: RunSummary } | { ok: false; error: unknown };

export async function executeRun(options: ExecuteOptions): Promise<ExecuteResult> {
  const { instance, clock, logger, stopSignal } = options;
  const limit = new AbortController();
  const claimLost = new AbortController();
  const cleanup = new AbortController();
  const { signal, release } = linkSignals(limit.signal, claimLost.signal, stopSignal);
  const timeoutError = new RunTimeoutError(instance.name, options.timeoutMs, instance.dependsOn);

  const limitReached = clock.sleep(options.timeoutMs, cleanup.signal).then(
    () => {
      limit.abort(timeoutError);
      return 'timeout' as const;
    },
    () => 'cancelled' as const,
  );
  if (options.heartbeat) void heartbeatLoop(options.heartbeat, clock, cleanup.signal, logger, () => claimLost.abort(new SlotClaimLostError(instance.name)));

  const settled: Promise<Settled> = Promise.resolve()
    .then(() => instance.run({ runId: options.runId, signal, clock, logger }))
    .then((summary) => ({ ok: true as const, summary }), (error: unknown) => ({ ok: false as const, error }));

  // Whatever the run did after losing its claim, it ends as a lost claim (the slot is the other's).
  const lostClaim = (result: ExecuteResult): ExecuteResult => {
    if (!claimLost.signal.aborted) return result;
    const { summary, hung } = result.ok ? { summary: result.summary, hung: undefined } : result;
    return { ok: false, error: claimLost.signal.reason, timedOut: false, interrupted: false, claimLost: true, ...(summary ? { summary } : {}), ...(hung ? { hung } : {}) };
  };
  try {
    return lostClaim(await settle());
  } finally {
    cleanup.abort();
    release();
  }

  async function settle(): Promise<ExecuteResult> {
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
  }
}

async function heartbeatLoop(heartbeat: NonNullable<ExecuteOptions['heartbeat']>, clock: Clock, signal: AbortSignal, logger: Logger, onLost: () => void): Promise<void> {
  let delay = heartbeat.everyMs;
  while (!signal.aborted) {
    try {
      await clock.sleep(delay, signal);
    } catch {
      return;
    }
    try {
      if (!(await heartbeat.beat())) {
        if (!signal.aborted) onLost();
        return;
      }
      delay = heartbeat.everyMs;
    } catch (err) {
      logger.warn({ err: errorMessage(err) }, 'could not renew the slot claim; trying again shortly');
      delay = heartbeat.retryMs;
    }
  }
}
