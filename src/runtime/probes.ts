/**
 * Probes decide when a suspended instance may run again. A database probe costs nothing and may
 * run every probeInterval; an API probe spends a call, so it is gated for the whole process: at
 * most one call per recovery.apiProbeInterval — except while the API is down (5xx, timeouts) and
 * the rate limiter has budget to spare, when a call may go out every probeInterval, so an outage's
 * end is noticed within seconds. During rate limiting (429) the 30 s spacing always holds. Real API
 * runs are evidence too: the newest evidence — a probe call, a run that called the API and
 * succeeded, a run that found the API down — answers probes until it is old enough, and only
 * then is a call spent.
 */
import type { Clock } from '../lib/clock.ts';
import { classifyFailure, GtcError, errorMessage } from '../lib/errors.ts';

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

export interface GatedProbeOptions {
  /**
   * Spacing of calls while the newest evidence says the API is down (not rate limited) and the
   * limiter has budget to spare (recovery.probeInterval): outages end unannounced, and a
   * suspended collector should resume within seconds, not apiProbeInterval later.
   */
  whileDownMs?: number;
  /** Whether a probe call now would take nothing from the collectors (the limiter is idle and not slowed by 429s). */
  hasSpareBudget?: () => boolean;
}

/**
 * An API probe shared by every instance: at most one call per `minIntervalMs`, or per
 * `whileDownMs` while the API is down and the limiter idle; in between, the newest evidence answers.
 */
export class GatedProbe {
  private last: { at: number; ok: boolean; error?: unknown } | undefined;
  private inflight: Promise<void> | undefined;
  private readonly upListeners = new Set<() => void>();

  constructor(
    private readonly inner: Probe,
    private readonly minIntervalMs: number,
    private readonly clock: Clock,
    private readonly options: GatedProbeOptions = {},
  ) {}

  readonly probe: Probe = (signal) => {
    if (this.inflight) return this.inflight;
    const now = this.clock.now();
    if (this.last && now - this.last.at < this.spacing()) {
      return this.last.ok ? Promise.resolve() : Promise.reject(this.last.error);
    }
    this.inflight = this.inner(signal).then(
      () => this.record({ at: now, ok: true }),
      (error: unknown) => {
        this.record({ at: now, ok: false, error });
        throw error;
      },
    ).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  };

  /** An API run that called the API succeeded: the API is up, no probe call needed. */
  noteSuccess(at = this.clock.now()): void {
    if (!this.last || at >= this.last.at) this.record({ at, ok: true });
  }

  /** An API run found the API down: a probe call now would learn nothing new. */
  noteFailure(error: unknown, at = this.clock.now()): void {
    if (!this.last || at >= this.last.at) this.record({ at, ok: false, error });
  }

  /** Called whenever the evidence turns from "down" to "up" (so suspended instances can resume together). */
  onUp(listener: () => void): () => void {
    this.upListeners.add(listener);
    return () => this.upListeners.delete(listener);
  }

  /** Calls the wrapped probe has actually made are spaced at least this far apart (when the API is not down). */
  get intervalMs(): number {
    return this.minIntervalMs;
  }

  private spacing(): number {
    const { whileDownMs, hasSpareBudget } = this.options;
    // Down for any reason but a 429: rate limiting keeps the long spacing whatever the budget says.
    const down = this.last !== undefined && !this.last.ok && classifyFailure(this.last.error) !== 'api-rate-limit';
    return down && whileDownMs !== undefined && (hasSpareBudget?.() ?? false) ? Math.min(whileDownMs, this.minIntervalMs) : this.minIntervalMs;
  }

  private record(evidence: { at: number; ok: boolean; error?: unknown }): void {
    const wasDown = this.last !== undefined && !this.last.ok;
    this.last = evidence;
    if (wasDown && evidence.ok) for (const listener of this.upListeners) listener();
  }
}
