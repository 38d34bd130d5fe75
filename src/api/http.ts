/**
 * One GET against the API with every policy applied, in this order per attempt: breaker check →
 * rate limiter (FIFO) → breaker → fetch with timeout. Retries wrap the whole attempt, so every
 * retry waits for the limiter too. 2xx → body text, 404 → null; everything else is a GtcError.
 */
import { readFileSync } from 'node:fs';
import type { Clock } from '../lib/clock.ts';
import { GtcError } from '../lib/errors.ts';
import { insideWriteTransaction } from '../lib/write-scope.ts';
import { ApiAvailability } from './availability.ts';
import { ApiRateLimitError, ApiRequestError, ApiUnavailableError, InvalidResponseError } from './errors.ts';
import { BrokenCircuitError, CircuitBreaker, RequestTimeoutError, RetryPolicy, withTimeout, type BreakerState, type RetryDecision } from '../lib/policies.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { linkSignals } from '../lib/signals.ts';

export const PUBLIC_BASE_URL = 'https://api.geckoterminal.com/api/v2';
/** The keyed CoinGecko on-chain host: same paths and shapes, key in `x-cg-pro-api-key`. */
export const PRO_BASE_URL = 'https://pro-api.coingecko.com/api/v3/onchain';
const ACCEPT = 'application/json;version=20230302';
const MAX_RETRY_AFTER_MS = 3_600_000;

/** Metrics hooks; every one is optional and must not throw. */
export interface ApiHooks {
  /** An HTTP attempt finished (status, or 'timeout' / 'network-error' when there was none). */
  onRequest?(event: { endpoint: string; status: number | 'timeout' | 'network-error'; durationMs: number; attempt: number }): void;
  onRetry?(event: { endpoint: string; attempt: number; delayMs: number; reason: string }): void;
  onBreakerStateChange?(event: { from: BreakerState; to: BreakerState }): void;
  /** A request got its turn at the rate limiter (only when the client made its own limiter). */
  onQueueWait?(event: { waitedMs: number; queueLength: number }): void;
  /** The API answered 429 and the limiter slowed down. */
  onRateLimited?(event: { endpoint: string; retryAfterMs: number | null; requestsPerMinute: number }): void;
}

export interface HttpOptions {
  baseUrl: string;
  apiKey?: string;
  clock: Clock;
  limiter: RateLimiter;
  timeoutMs: number;
  maxAttempts: number;
  maxRetryWaitMs: number;
  retryInitialDelayMs?: number;
  retryMaxDelayMs?: number;
  breakerThreshold: number;
  breakerHalfOpenAfterMs: number;
  hooks?: ApiHooks;
}

export type Query = Record<string, string | number | boolean | undefined>;

function userAgent(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string; homepage?: string };
  return `gtc/${pkg.version ?? '0'}${pkg.homepage ? ` (+${pkg.homepage})` : ''}`;
}

/** Seconds or an HTTP date → milliseconds from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  const ms = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(0, Math.ceil(ms)), MAX_RETRY_AFTER_MS) : undefined;
}

/**
 * Every GeckoTerminal answer is a JSON object: a body that does not start with `{` and end with `}`
 * was cut short or is not the API's (an HTML page from a proxy). A cheap check, so it can be done
 * inside the retry loop; the full parse (and its clear error) comes after.
 */
function looksLikeJsonObject(body: string): boolean {
  const text = body.trim();
  return text.startsWith('{') && text.endsWith('}');
}

function excerptOf(body: string): string {
  const text = body.trim().replace(/\s+/g, ' ');
  return text ? JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text) : '';
}

function causeText(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

export class ApiHttp {
  readonly breaker: CircuitBreaker;
  private readonly retry: RetryPolicy;
  private readonly base: string;
  private readonly headers: Record<string, string>;
  /** Which requests are on the wire, whether the API was found down, and who wants to know. */
  readonly availability = new ApiAvailability();

  constructor(private readonly options: HttpOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.headers = { accept: ACCEPT, 'user-agent': userAgent(), ...(options.apiKey ? { 'x-cg-pro-api-key': options.apiKey } : {}) };
    this.breaker = new CircuitBreaker({
      clock: options.clock,
      threshold: options.breakerThreshold,
      halfOpenAfterMs: options.breakerHalfOpenAfterMs,
      onStateChange: (event) => options.hooks?.onBreakerStateChange?.(event),
    });
    this.retry = new RetryPolicy({
      clock: options.clock,
      maxAttempts: options.maxAttempts,
      maxTotalMs: options.maxRetryWaitMs,
      initialDelayMs: options.retryInitialDelayMs ?? 1_000,
      maxDelayMs: options.retryMaxDelayMs ?? 30_000,
    });
  }

  /**
   * GET `path` (already encoded, no leading slash) with `query`. `endpoint` is the route template
   * used in metrics and messages. Resolves with the body text, or null on 404.
   */
  async get(endpoint: string, path: string, query: Query = {}, signal?: AbortSignal, startBy?: number): Promise<string | null> {
    if (insideWriteTransaction()) throw new GtcError('bug', 'network I/O inside a write transaction');
    const target = this.target(path, query);
    return this.retry.execute(
      (attempt) => this.attempt(endpoint, target, attempt, signal, startBy),
      (error) => this.decide(error),
      {
        signal,
        // A wait after a failure ends when the API is seen answering again (here or elsewhere).
        wake: () => this.availability.backSignal,
        onRetry: ({ attempt, delayMs, error }) => this.options.hooks?.onRetry?.({ endpoint, attempt, delayMs, reason: this.scrub(causeText(error)) }),
      },
    );
  }

  /**
   * One attempt at `path`, for a health probe: no retry, not refused by an open breaker (the
   * probe is how a suspended caller learns the API is back), still through the shared limiter,
   * ahead of the calls queued there, and only with spare budget (NoSpareBudgetError when none).
   * A 2xx closes the breaker; anything else throws as an ordinary attempt would (404 included).
   */
  async probe(endpoint: string, path: string, query: Query = {}, signal?: AbortSignal): Promise<void> {
    if (insideWriteTransaction()) throw new GtcError('bug', 'network I/O inside a write transaction');
    const target = this.target(path, query);
    await this.options.limiter.acquire(signal, { first: true, spare: true });
    const body = await this.fetchOnce(endpoint, target, 1, signal);
    if (body === null) throw new ApiRequestError(`GET ${target} was answered 404: api.baseUrl does not point at the GeckoTerminal API.`, { endpoint, status: 404 });
    this.breaker.recordSuccess();
  }

  private target(path: string, query: Query): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
    return `/${path}${search.size ? `?${search}` : ''}`;
  }

  private decide(error: unknown): RetryDecision {
    if (error instanceof ApiRateLimitError) return { retry: error.status === 429, minDelayMs: error.retryAfterMs };
    // The API answers again (a later request was answered): no reason to back off.
    if (error instanceof ApiUnavailableError && error.reason === 'overtaken') return { retry: true, immediate: true };
    if (error instanceof ApiUnavailableError) return { retry: error.reason !== 'breaker-open' };
    // A body that is no JSON document at all (cut short, a proxy's HTML page, empty) is a transfer gone wrong: ask again.
    if (error instanceof InvalidResponseError) return { retry: true };
    return { retry: false };
  }

  private async attempt(endpoint: string, target: string, attempt: number, signal: AbortSignal | undefined, startBy: number | undefined): Promise<string | null> {
    this.checkBreaker(endpoint, attempt);
    await this.options.limiter.acquire(signal, startBy === undefined ? {} : { startBy });
    try {
      return await this.breaker.execute(() => this.fetchOnce(endpoint, target, attempt, signal), (error) => error instanceof ApiUnavailableError);
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw this.breakerOpen(endpoint, error, attempt);
      throw error;
    }
  }

  private checkBreaker(endpoint: string, attempt: number): void {
    try {
      this.breaker.check();
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw this.breakerOpen(endpoint, error, attempt);
      throw error;
    }
  }

  /** Refused by the open breaker: no news about the API when it is the request's first attempt (nothing went out). */
  private breakerOpen(endpoint: string, error: BrokenCircuitError, attempt: number): ApiUnavailableError {
    const when = error.retryAtMs === null ? 'a probe request is in flight' : `the next probe goes out after ${new Date(error.retryAtMs).toISOString()}`;
    return new ApiUnavailableError(`The GeckoTerminal API circuit breaker is open after repeated failures; ${when}.`, 'breaker-open', { endpoint, refusedLocally: attempt === 1, seenAt: error.failureSentAt });
  }

  /** One HTTP exchange; a request hung through an outage is cut short when the API answers again (ApiAvailability). */
  private async fetchOnce(endpoint: string, target: string, attempt: number, signal: AbortSignal | undefined): Promise<string | null> {
    const { clock, hooks, timeoutMs } = this.options;
    const started = clock.now();
    const done = (status: number | 'timeout' | 'network-error'): void => hooks?.onRequest?.({ endpoint, status, durationMs: clock.now() - started, attempt });
    const request = this.availability.send(started);
    let response: { status: number; retryAfter: string | null; body: string };
    const outer = linkSignals(signal, request.overtake.signal);
    try {
      response = await withTimeout(clock, timeoutMs, outer.signal, async (inner) => {
        const res = await fetch(this.base + target, { headers: this.headers, signal: inner });
        return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() };
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (request.overtake.signal.aborted) {
        done('network-error');
        throw new ApiUnavailableError(`GET ${target} was not answered while a later request was: the API is back, asking again.`, 'overtaken', { endpoint, seenAt: started });
      }
      if (error instanceof RequestTimeoutError) {
        done('timeout');
        throw this.availability.failed(new ApiUnavailableError(`GET ${target} got no complete response within ${timeoutMs} ms (api.timeoutMs).`, 'timeout', { endpoint, cause: error, seenAt: started }), started);
      }
      done('network-error');
      throw this.availability.failed(new ApiUnavailableError(`GET ${target} failed: ${this.scrub(causeText(error))}.`, 'network', { endpoint, seenAt: started }), started);
    } finally {
      outer.release();
      this.availability.settled(request);
    }
    done(response.status);
    const { status } = response;
    if (status >= 500) throw this.availability.failed(new ApiUnavailableError(`GET ${target} answered ${status}.`, 'server-error', { endpoint, status, seenAt: started }), started);
    const outage = this.availability.answered(request, status !== 429);
    if (outage !== undefined) this.options.limiter.onApiBack(outage);
    if (status !== 429) this.options.limiter.onAnswered(started);
    if (status >= 200 && status < 300) {
      if (!looksLikeJsonObject(response.body)) {
        const start = excerptOf(this.scrub(response.body));
        throw new InvalidResponseError(`GET ${target} answered ${status} with a body that is not valid JSON (not one whole JSON object: ${response.body.length} bytes${start ? `, starting ${start}` : ''}).`, { endpoint });
      }
      return response.body;
    }
    if (status === 404) return null;
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(response.retryAfter, clock.now());
      this.options.limiter.onRateLimited(retryAfterMs, started);
      hooks?.onRateLimited?.({ endpoint, retryAfterMs: retryAfterMs ?? null, requestsPerMinute: this.options.limiter.state().requestsPerMinute });
      const after = retryAfterMs === undefined ? '' : ` (Retry-After ${Math.ceil(retryAfterMs / 1000)} s)`;
      throw this.availability.rateLimited(new ApiRateLimitError(`GET ${target} was refused with 429 Too Many Requests${after}.`, { endpoint, status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) }), started);
    }
    const detail = this.scrub(response.body.replace(/\s+/g, ' ').trim().slice(0, 120));
    throw new ApiRequestError(`GET ${target} was rejected with ${status}${detail ? `: ${detail}` : ''}.`, { endpoint, status });
  }

  /** Removes the API key from any text that could reach a log or an error message. */
  private scrub(text: string): string {
    const key = this.options.apiKey;
    return key ? text.split(key).join('[redacted]') : text;
  }
}
