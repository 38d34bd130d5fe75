/**
 * Probes decide when a suspended instance may run again. A database probe costs nothing and may
 * run every probeInterval; an API probe spends a call, so it is gated to at most one call per
 * recovery.apiProbeInterval for the whole process. Real API runs are evidence too: the newest
 * evidence — a probe call, a run that succeeded, a run that found the API down — answers probes
 * until it is apiProbeInterval old, and only then is a call spent.
 */
import type { Clock } from '../lib/clock.ts';
import { GtcError, errorMessage } from '../lib/errors.ts';

/** Resolves when the dependency is usable; throws (why) when it is not. */
export type Probe = (signal: AbortSignal) => Promise<void>;

export interface ProbeResult {
  ok: boolean;
  detail: string;
}

class ProbeTimeoutError extends GtcError {
  constructor(ms: number) {
    super('db-down', `probe did not answer within ${ms} ms`);
  }
}

/** Runs a probe under a time limit, as a result rather than an exception. */
export async function probeOnce(probe: Probe, clock: Clock, timeoutMs: number): Promise<ProbeResult> {
  const limit = new AbortController();
  const timeout = new ProbeTimeoutError(timeoutMs);
  const expired = clock.sleep(timeoutMs, limit.signal).then(() => {
    limit.abort(timeout);
    throw timeout;
  });
  try {
    await Promise.race([Promise.resolve().then(() => probe(limit.signal)), expired]);
    return { ok: true, detail: '' };
  } catch (err) {
    return { ok: false, detail: errorMessage(err) };
  } finally {
    if (!limit.signal.aborted) limit.abort();
    expired.catch(() => undefined);
  }
}

/** An API probe that calls the API at most once per `minIntervalMs`, shared by every instance. */
export class GatedProbe {
  private last: { at: number; ok: boolean; error?: unknown } | undefined;
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly inner: Probe,
    private readonly minIntervalMs: number,
    private readonly clock: Clock,
  ) {}

  readonly probe: Probe = (signal) => {
    if (this.inflight) return this.inflight;
    const now = this.clock.now();
    if (this.last && now - this.last.at < this.minIntervalMs) {
      return this.last.ok ? Promise.resolve() : Promise.reject(this.last.error);
    }
    this.inflight = this.inner(signal).then(
      () => {
        this.last = { at: now, ok: true };
      },
      (error: unknown) => {
        this.last = { at: now, ok: false, error };
        throw error;
      },
    ).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  };

  /** An API run succeeded: the API is up, no probe call needed. */
  noteSuccess(at = this.clock.now()): void {
    if (!this.last || at >= this.last.at) this.last = { at, ok: true };
  }

  /** An API run found the API down: a probe call now would learn nothing new. */
  noteFailure(error: unknown, at = this.clock.now()): void {
    if (!this.last || at >= this.last.at) this.last = { at, ok: false, error };
  }

  /** Calls the wrapped probe has actually made are spaced at least this far apart. */
  get intervalMs(): number {
    return this.minIntervalMs;
  }
}
