/**
 * What this process's requests show of whether the API answers, and what follows from it. A
 * request hung through an outage would wait out api.timeoutMs after the API is back (a hung
 * connection is not answered later); so once the API was found unavailable, the first answer —
 * to a later request here, or news that it answered elsewhere (a probe, another process) — cuts
 * short every request sent before it and still unanswered, and ends every retry wait: their
 * callers ask again at once (TCP's fast retransmit: a later packet acknowledged means an earlier
 * one is lost). In normal operation (nothing failed) no request is ever cut short, however slow.
 * The first answer with data after 429s ends the retry waits too (the limiter paces those calls).
 *
 * Listeners hear each failure and the first answer after one, so a runtime can start and end its
 * probing from requests still inside a run, not only from finished runs.
 */
import type { ApiRateLimitError, ApiUnavailableError } from './errors.ts';

/** A request on the wire: its order and send time, and how to cut it short when it is overtaken. */
export interface InFlight {
  seq: number;
  sentAt: number;
  overtake: AbortController;
}

/** Down: a request found the API unavailable or refused with a 429 (dated from its send time); up: the first answer with data after that. */
export type ApiNews = { up: false; at: number; error: ApiUnavailableError | ApiRateLimitError } | { up: true; at: number };

export class ApiAvailability {
  private readonly inFlight = new Set<InFlight>();
  private readonly listeners = new Set<(news: ApiNews) => void>();
  private sent = 0;
  /** A request failed with the API unavailable, and nothing has been answered since. */
  private down = false;
  /** Send time of the first failed request of the current outage (while `down`). */
  private downSince = 0;
  /** A request was refused with a 429, and nothing has been answered with data since. */
  private refused = false;
  /** Send time of the first refused request of the current storm (while `refused`). */
  private refusedSince = 0;
  /** Aborted (and replaced) when the API is seen answering again (or serving after 429s): retry waits end there. */
  private back = new AbortController();

  /** Aborts when the API is next seen answering after being down or refusing: a retry wait need not go on. */
  get backSignal(): AbortSignal {
    return this.back.signal;
  }

  onNews(listener: (news: ApiNews) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A request goes on the wire at `at`; `settled` must follow, whatever its outcome. */
  send(at: number): InFlight {
    const request: InFlight = { seq: ++this.sent, sentAt: at, overtake: new AbortController() };
    this.inFlight.add(request);
    return request;
  }

  settled(request: InFlight): void {
    this.inFlight.delete(request);
  }

  /** A request sent at `sentAt` found the API unavailable (timeout, network, 5xx). Returns the error, for `throw`. */
  failed(error: ApiUnavailableError, sentAt: number): ApiUnavailableError {
    if (!this.down) this.downSince = sentAt;
    this.down = true;
    this.tell({ up: false, at: sentAt, error });
    return error;
  }

  /** A request sent at `sentAt` was refused with a 429: news, though the API answers. Returns the error, for `throw`. */
  rateLimited(error: ApiRateLimitError, sentAt: number): ApiRateLimitError {
    if (!this.refused) this.refusedSince = sentAt;
    this.refused = true;
    this.tell({ up: false, at: sentAt, error });
    return error;
  }

  /**
   * `request` was answered (a 429 included). After an outage the requests sent before it are
   * presumed lost; the first answer with data after a failure or a 429 is news that the API is up.
   * Returns how long the API had been unavailable when this answer ended an outage (from the
   * first failed request's send to this one's), or had refused every request when this answer
   * with data ended a 429 storm (from the first refused one's), else undefined.
   */
  answered(request: InFlight, withData: boolean): number | undefined {
    const outage = this.down ? this.cutShort(request.sentAt, (r) => r.seq < request.seq) : undefined;
    if (!withData || !(outage !== undefined || this.refused)) return outage;
    const storm = this.endStorm(request.sentAt);
    this.tell({ up: true, at: request.sentAt });
    return longest(outage, storm);
  }

  /**
   * The API was seen answering at `at` elsewhere (a probe, another process): as if a request sent
   * then was answered here. Returns the length of the outage or storm this ended, as `answered` does.
   */
  seenUp(at: number): number | undefined {
    const storm = this.endStorm(at);
    return longest(this.down ? this.cutShort(at, (r) => r.sentAt < at) : undefined, storm);
  }

  /**
   * Ends the 429 storm (if any) with an answer to a request sent at `at`; returns its length. The
   * requests waiting to retry after a refusal ask again at once: the limiter paces them now.
   */
  private endStorm(at: number): number | undefined {
    if (!this.refused) return undefined;
    this.refused = false;
    this.wakeRetries();
    return Math.max(0, at - this.refusedSince);
  }

  /** Ends the outage seen up at `at`; returns its length. */
  private cutShort(at: number, earlier: (request: InFlight) => boolean): number {
    this.down = false;
    for (const request of this.inFlight) if (earlier(request)) request.overtake.abort();
    this.wakeRetries();
    return Math.max(0, at - this.downSince);
  }

  private wakeRetries(): void {
    this.back.abort();
    this.back = new AbortController();
  }

  private tell(news: ApiNews): void {
    for (const listener of this.listeners) listener(news);
  }
}

function longest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}
