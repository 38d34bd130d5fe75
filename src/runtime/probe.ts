/**
 * A probe: how a suspended instance asks whether its dependency is usable again, and one asking of
 * it under a time limit. The database's is store-probe.ts; the API's is shared through GatedProbe.
 */
import type { Clock } from '../lib/clock.ts';
import { errorMessage, GtcError } from '../lib/errors.ts';

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
