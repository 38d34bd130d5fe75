/**
 * Probes decide when a suspended instance may run again. A database probe costs nothing and may
 * run every probeInterval. An API probe spends a call, and the issue allows at most one per 30 s
 * (recovery.apiProbeInterval); yet an outage's end must be noticed within seconds. Reconciled: a
 * probe call may go out every recovery.apiProbeWhileDown only while the newest evidence says the
 * API is down (5xx, timeouts, unreachable, a 429 storm) AND the rate limiter has budget to spare: no
 * Retry-After holds calls back, the day's budget is on pace (RateLimiter.hasSpareBudget), and the
 * call itself takes only spare budget of the minute, at the limiter's rate (lowered by 429s). Those
 * calls take budget nobody else would use (the collectors' calls queued meanwhile wait on the very
 * answer), and they stop at the first answer. Otherwise the 30 s spacing holds.
 *
 * While the API is down the calls are paced by the probe itself (from the first failed API run or
 * probe), a new one every apiProbeWhileDown whatever the suspended instances' own probe cadence, and a hung call does not
 * hold the next one back: at most two are on the wire, the newest replacing the oldest. Real API
 * runs are evidence too: the newest evidence — a probe call, a run that called the API and
 * succeeded, a run that found the API down — answers probes until it is old enough, and only then
 * is a call spent.
 *
 * Processes sharing one API budget each pace their own probe; the limiter gives a probe call only
 * spare budget (an even spread of the shared minute), and a call it refuses is no news: the next
 * try comes a spacing later. Together they then probe about once per spacing, and none waits for
 * the next minute when the API comes back. And they share their news through the database
 * (sharedNews): the first to see the API back marks it, and a run of another that fetched data is
 * news too. Before every call, and every 500 ms while the API is down (a read, no call), a process
 * looks for news since its own evidence said down — once one process sees the API back, the others
 * follow within half a second, without a call of their own (their probe calls would find the
 * budget busy with its catching up).
 */
import { NoSpareBudgetError } from '../api/errors.ts';
import { sleepOrWake, type Clock } from '../lib/clock.ts';
import type { Probe } from './probe.ts';
import { ProbeCalls, ProbeNotNeededError, type ProbeCall } from './probe-calls.ts';

export interface GatedProbeOptions {
  /**
   * Spacing of calls while the newest evidence says the API is down (not rate limited) and the
   * limiter has budget to spare (recovery.apiProbeWhileDown): outages end unannounced, and a
   * suspended collector should resume within seconds, not apiProbeInterval later.
   */
  whileDownMs?: number;
  /** Whether probe calls may go out at the fast pace now (no Retry-After, the day's budget on pace). */
  hasSpareBudget?: () => boolean;
  /**
   * News from other processes sharing the database: when they last showed the API up at or after
   * `since` (a run of theirs fetched data), or undefined. Asked at the pace of whileDownMs while
   * the API is down, with or without budget to spare: a read, no call.
   */
  sharedNews?: (since: number) => Promise<number | undefined>;
  /**
   * The probe's lifetime (the daemon's stop signal). With it, calls while the API is down are
   * paced by the probe itself; without it, only by callers.
   */
  signal?: AbortSignal;
}

/** While the API is down, other processes' news (a database read, no call) is looked at this often. */
const NEWS_EVERY_MS = 500;

interface Evidence {
  at: number;
  ok: boolean;
  error?: unknown;
  /** From another process (sharedNews), not seen here. */
  shared?: boolean;
}

/** How the API was seen up: `shared` when only another process's news said so. */
export interface UpNews {
  shared: boolean;
}

/**
 * An API probe shared by every instance: at most one call per `minIntervalMs`, or per
 * `whileDownMs` while the API is down and budget is spare; in between, the newest evidence answers.
 */
export class GatedProbe {
  private last: Evidence | undefined;
  /**
   * The newest call the limiter refused for want of spare budget: no news. The next try waits a
   * spacing, or less when the limiter said when it will have spare budget again (`retryAt`).
   */
  private skipped: { at: number; error: unknown; retryAt?: number } | undefined;
  private readonly calls: ProbeCalls;
  private pacing = false;
  /** Aborted to make a sleeping pacing look again (a refused call may bring the next one forward). */
  private rethink: AbortController | undefined;
  /** When the pacing last looked for other processes' news (or called, which looks first). */
  private lookedAt = -Infinity;
  /** When a call was due but budget was not spare: the next is due a spacing later. */
  private noCallAt = -Infinity;
  /** The pacing may call: a run failed with the API down or an instance asked (not only a request inside a run failed), until the API is seen up. */
  private callsWanted = false;
  private readonly upListeners = new Set<(seenUpAt: number, news: UpNews) => void>();

  constructor(
    private readonly inner: Probe,
    private readonly minIntervalMs: number,
    private readonly clock: Clock,
    private readonly options: GatedProbeOptions = {},
  ) {
    this.calls = new ProbeCalls(options.signal);
  }

  readonly probe: Probe = () => {
    const now = this.clock.now();
    const newest = this.calls.newest;
    const spacing = this.spacing();
    // Fresh news that the API is up answers at once, even while an older call hangs.
    if (this.last?.ok && now - this.last.at < spacing) return Promise.resolve();
    // A call went out recently and is still unanswered: wait for it (or any other call's success).
    if (newest && now - newest.startedAt < spacing) return this.calls.answer(newest);
    if (this.last && now - this.last.at < spacing) return this.last.ok ? Promise.resolve() : Promise.reject(this.last.error);
    if (this.skipped && now - this.skipped.at < spacing) return Promise.reject(this.last?.error ?? this.skipped.error);
    // An instance is waiting on the answer: the pacing calls until the API is seen up.
    this.callsWanted = true;
    const call = this.call(now);
    this.pace();
    return this.calls.answer(call);
  };

  /** An API run that called the API succeeded: the API is up, no probe call needed. */
  noteSuccess(at = this.clock.now()): void {
    this.record({ at, ok: true });
  }

  /**
   * An API run found the API down: a probe call now would learn nothing new, but the pacing starts
   * (the API's return is then seen within whileDownMs even by a process whose instances are still
   * in runs with requests hanging — the first answer cuts those short, see ApiAvailability).
   */
  noteFailure(error: unknown, at = this.clock.now()): void {
    this.callsWanted = true;
    this.record({ at, ok: false, error });
    this.pace();
  }

  /**
   * A request inside a run found the API down; the run goes on retrying. Other processes' news is
   * looked at from now on (one may see the API back first, and this process's hung requests and
   * retry waits then end), but no probe call is spent until a run fails: the run's own retries are
   * its calls, and probe calls, served first, would hold them back — no run would fail and the
   * outage would go unreported.
   */
  noteRequestFailure(error: unknown, at = this.clock.now()): void {
    this.record({ at, ok: false, error });
    this.pace();
  }

  /**
   * Called whenever the evidence turns from "down" to "up" (so suspended instances can resume
   * together), with the time it was seen up and whether it was only another process's news.
   */
  onUp(listener: (seenUpAt: number, news: UpNews) => void): () => void {
    this.upListeners.add(listener);
    return () => this.upListeners.delete(listener);
  }

  /** When the API was seen up, if the newest evidence says so and dates from `since` or later. */
  seenUpSince(since: number): number | undefined {
    return this.last?.ok && this.last.at >= since ? this.last.at : undefined;
  }

  /** Calls the wrapped probe has actually made are spaced at least this far apart (when the API is not down). */
  get intervalMs(): number {
    return this.minIntervalMs;
  }

  /**
   * One call of the wrapped probe — unless other processes' news says the API is up, which costs
   * no call; its outcome becomes evidence dated from its start.
   */
  private call(startedAt: number): ProbeCall {
    const ask = async (signal: AbortSignal): Promise<void> => {
      if (!(await this.heardUpElsewhere(startedAt))) await this.inner(signal);
    };
    return this.calls.start(startedAt, ask, (outcome) => outcome.then(
      () => this.record({ at: startedAt, ok: true }),
      (error: unknown) => {
        // Withdrawn because the API was seen up: no news (dated from its start, it could pass for newer).
        if (error instanceof ProbeNotNeededError) throw error;
        if (error instanceof NoSpareBudgetError) {
          this.skipped = { at: Math.max(startedAt, this.skipped?.at ?? -Infinity), error, ...(error.retryAt === undefined ? {} : { retryAt: error.retryAt }) };
          // The pacing planned its next call a spacing ahead: it may come sooner now.
          this.rethink?.abort();
        }
        else this.record({ at: startedAt, ok: false, error });
        throw error;
      },
    ));
  }

  /**
   * While the API is down: every whileDownMs, news from other processes, else (with budget to
   * spare) a new call — until the API is seen up or the daemon stops.
   */
  private pace(): void {
    const { signal, whileDownMs } = this.options;
    if (this.pacing || !signal || whileDownMs === undefined || signal.aborted) return;
    this.pacing = true;
    void (async () => {
      try {
        for (;;) {
          // Sleep until a call is due (the newest evidence — a call, a run — is whileDownMs old) or,
          // sooner, a look at the news.
          const callAt = this.nextCallAt(whileDownMs);
          const lookAt = this.options.sharedNews ? this.lookedAt + NEWS_EVERY_MS : Infinity;
          await this.napUntil(Math.min(callAt, lookAt), signal);
          if (!this.down()) return;
          const now = this.clock.now();
          this.lookedAt = now;
          if (now >= this.nextCallAt(whileDownMs)) {
            if (this.callsWanted && this.downWithSpareBudget()) {
              this.call(now).done.catch(() => undefined);
              continue;
            }
            // No budget to spare (or no call wanted): without news to look at, the pacing ends (probes keep the long spacing).
            if (!this.options.sharedNews) return;
            this.noCallAt = now;
          }
          if (await this.heardUpElsewhere(now)) return;
        }
      } catch {
        // Stopped.
      } finally {
        this.pacing = false;
      }
    })();
  }

  /** Sleeps until `at`, or until a refused call makes the pacing look again; throws when stopped. */
  private napUntil(at: number, lifetime: AbortSignal): Promise<void> {
    this.rethink = new AbortController();
    return sleepOrWake(this.clock, Math.max(0, at - this.clock.now()), this.rethink.signal, lifetime);
  }

  /**
   * While down, when the next call is due: a spacing after the newest evidence — but after a call
   * the limiter refused (no call went out), as soon as it has spare budget again, still a spacing
   * after the last call that did go out. Processes sharing the budget then probe at its own pace
   * (one call every 60/rate s between them), not a refusal's spacing later.
   */
  private nextCallAt(whileDownMs: number): number {
    const spaced = Math.max(this.newestEvidenceAt(), this.noCallAt) + whileDownMs;
    const lastCall = Math.max(this.last?.at ?? -Infinity, this.calls.newest?.startedAt ?? -Infinity);
    const refused = this.skipped;
    if (refused?.retryAt === undefined || refused.at < lastCall) return spaced;
    return Math.max(lastCall + whileDownMs, this.noCallAt + whileDownMs, Math.min(spaced, refused.retryAt));
  }

  /** When the newest evidence, the newest call (still unanswered) or the newest refused call dates from. */
  private newestEvidenceAt(): number {
    return Math.max(this.last?.at ?? -Infinity, this.calls.newest?.startedAt ?? -Infinity, this.skipped?.at ?? -Infinity);
  }

  /**
   * Another process saw the API up since our newest evidence (at most a spacing back from `now`
   * when there is none): it is up.
   */
  private async heardUpElsewhere(now: number): Promise<boolean> {
    if (!this.options.sharedNews) return false;
    const since = this.last?.at ?? now - this.minIntervalMs;
    const at = await this.options.sharedNews(since).catch(() => undefined);
    if (at === undefined || at < since) return false;
    this.record({ at, ok: true, shared: true });
    return this.last?.ok === true;
  }

  /**
   * The newest evidence is a failure: the API down, or refusing with 429s. The pacing then asks at
   * the fast spacing either way; during a 429 storm the rate limiter paces those calls (its lowered
   * rate, a Retry-After: hasSpareBudget is false until it ends), so the storm's end is seen at the
   * limiter's pace, not a whole apiProbeInterval later.
   */
  private down(): boolean {
    return this.last !== undefined && !this.last.ok;
  }

  private downWithSpareBudget(): boolean {
    return this.down() && this.options.whileDownMs !== undefined && (this.options.hasSpareBudget?.() ?? false);
  }

  private spacing(): number {
    return this.downWithSpareBudget() ? Math.min(this.options.whileDownMs as number, this.minIntervalMs) : this.minIntervalMs;
  }

  /** Newer evidence replaces older; a call that started before the newest evidence changes nothing. */
  private record(evidence: Evidence): void {
    if (this.last && evidence.at < this.last.at) return;
    const wasDown = this.last !== undefined && !this.last.ok;
    this.last = evidence;
    if (!evidence.ok) return;
    this.callsWanted = false;
    this.calls.passed();
    if (!wasDown) return;
    // Seen up when the answer came (a call dates its evidence from its start, for ordering): a
    // failure between the two is older news. Another process's news dates from its own time.
    const seenUpAt = evidence.shared ? evidence.at : Math.max(evidence.at, this.clock.now());
    for (const listener of this.upListeners) listener(seenUpAt, { shared: evidence.shared ?? false });
  }
}
