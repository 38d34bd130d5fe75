/**
 * The API probe's calls on the wire (see GatedProbe): a hung call must not hold the next one back,
 * so at most two are on the wire, a new one beyond that replacing the oldest (it hung for two
 * spacings). A caller waiting on a call follows it to its replacement, and resumes as soon as any
 * call passes.
 */
import { GtcError } from '../lib/errors.ts';
import { linkSignals } from '../lib/signals.ts';

/** Calls on the wire at once; a new call beyond this replaces the oldest. */
const MAX_IN_FLIGHT = 2;

export interface ProbeCall {
  startedAt: number;
  done: Promise<void>;
}

interface Call extends ProbeCall {
  abort: AbortController;
  /** The call that replaced this one while it hung: its callers wait for that one instead. */
  replacedBy?: Call;
}

class ProbeReplacedError extends GtcError {
  constructor(ms: number) {
    super('api-down', `the API probe call got no answer within ${ms} ms`);
  }
}

/** A call withdrawn because the API was seen up meanwhile: its answer is no news. */
export class ProbeNotNeededError extends Error {
  constructor() {
    super('the API probe call was withdrawn: the API was seen up meanwhile');
    this.name = 'ProbeNotNeededError';
  }
}

export class ProbeCalls {
  private readonly calls: Call[] = [];
  /**
   * Callers waiting on a call also resume on any other call's success. Each waiter leaves the set
   * when its answer settles: racing against one promise that lives as long as the outage would
   * keep every answered caller reachable until the API came back (a leak of ~1 GB in a week's soak).
   */
  private readonly upWaiters = new Set<() => void>();

  /** `lifetime`: the probe's (the daemon's stop signal); it aborts every call on the wire. */
  constructor(private readonly lifetime: AbortSignal | undefined) {}

  /** The newest call still on the wire. */
  get newest(): ProbeCall | undefined {
    return this.calls.at(-1);
  }

  /**
   * Starts `ask(signal)` at `startedAt`; `settle` turns its outcome into evidence and settles the
   * call (rethrowing for a failure). The oldest call is replaced when two are on the wire.
   */
  start(startedAt: number, ask: (signal: AbortSignal) => Promise<void>, settle: (outcome: Promise<void>) => Promise<void>): ProbeCall {
    const abort = new AbortController();
    const { signal, release } = linkSignals(this.lifetime, abort.signal);
    // The asked probe may ignore its signal: the abort settles the call all the same.
    const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    aborted.catch(() => undefined);
    const done = settle(Promise.race([ask(signal), aborted]));
    const call: Call = { startedAt, abort, done };
    const oldest = this.calls.length >= MAX_IN_FLIGHT ? this.calls[0] : undefined;
    if (oldest) {
      oldest.replacedBy = call;
      oldest.abort.abort(new ProbeReplacedError(startedAt - oldest.startedAt));
    }
    this.calls.push(call);
    void done.catch(() => undefined).finally(() => {
      this.calls.splice(this.calls.indexOf(call), 1);
      abort.abort();
      release();
    });
    return call;
  }

  /** Settles with `call` (or the call that replaced it), or as soon as any call passes. */
  answer(call: ProbeCall): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const settle = (outcome: () => void): void => {
        this.upWaiters.delete(resumed);
        outcome();
      };
      const resumed = (): void => settle(resolve);
      this.upWaiters.add(resumed);
      const follow = (current: Call): void => {
        current.done.then(
          () => settle(resolve),
          (error: unknown) => (current.replacedBy ? follow(current.replacedBy) : settle(() => reject(error))),
        );
      };
      follow(call as Call);
    });
  }

  /**
   * The API was seen up: every caller waiting on a call resumes, and the calls still unanswered
   * are withdrawn (ProbeNotNeededError). One still queued at the rate limiter then spends no call:
   * after a 429 storm its turn — the one call the lowered rate allows now — goes to a collector.
   */
  passed(): void {
    for (const resume of [...this.upWaiters]) resume();
    for (const call of [...this.calls]) call.abort.abort(new ProbeNotNeededError());
  }
}
