/**
 * The GeckoTerminal API client: every endpoint gtc uses, typed, returning parsed domain records
 * with the rejected items of each page. 404 is a normal "not found" (null / no pages). Create one
 * client per process and share it: its rate limiter is the process's one limiter.
 */
import type { GtcConfig } from '../config/schema.ts';
import type { Clock } from '../lib/clock.ts';
import { systemClock } from '../lib/clock.ts';
import type { BudgetStore } from './budget-store.ts';
import type { ApiNews } from './availability.ts';
import { ApiHttp, PRO_BASE_URL, PUBLIC_BASE_URL, type ApiHooks, type Query } from './http.ts';
import { chunk, MULTI_MAX_ADDRESSES, OHLCV_MAX_LIMIT, paginate, TIMEFRAME_PARAMS, type PageOptions } from './paging.ts';
import { parseOhlcvPage, type CandlesPage } from './parse-ohlcv.ts';
import { parsePoolDocument, parsePoolsPage, type PoolsPage } from './parse-pools.ts';
import { parseDexesPage, parseNetworksPage, parseTokenDocument, type DexesPage, type NetworksPage, type TokenResult } from './parse-reference.ts';
import { parseTradesPage, type TradesPage } from './parse-trades.ts';
import type { BreakerState } from '../lib/policies.ts';
import { RateLimiter } from './rate-limiter.ts';
import type { Timeframe } from '../lib/records.ts';

export interface ApiClientOptions {
  /** Default: the public API, or the CoinGecko on-chain host when an API key is given. */
  baseUrl?: string;
  /** Sent as `x-cg-pro-api-key`; never logged or put in an error. */
  apiKey?: string;
  clock?: Clock;
  /** The process's shared limiter; when absent one is made from the options below. */
  limiter?: RateLimiter;
  requestsPerMinute?: number;
  burst?: number;
  /** See RateLimiterOptions.marginMs. */
  marginMs?: number;
  dailyLimit?: number;
  budgetStore?: BudgetStore;
  budgetKey?: string;
  timeoutMs?: number;
  maxAttempts?: number;
  /** Total time a request may spend in retries. */
  maxRetryWaitMs?: number;
  retryInitialDelayMs?: number;
  retryMaxDelayMs?: number;
  breakerThreshold?: number;
  breakerHalfOpenAfterMs?: number;
  hooks?: ApiHooks;
}

export interface PoolListOptions extends PageOptions {
  /** Ask for `include=base_token,quote_token,dex` (default true): tokens and dexes come in the same call. */
  include?: boolean;
  /** The API's `sort`, e.g. `h24_volume_usd_desc` (top pools). */
  sort?: string;
}

export interface PoolsMultiPage extends PoolsPage {
  /** Addresses asked for in this call. */
  requested: string[];
  /** Addresses the API silently dropped (unknown to it). */
  missing: string[];
}

export interface OhlcvOptions {
  /** Only candles before this time (epoch seconds); default: up to now. */
  before?: number;
  /** Candles per call, 1–1000 (default 1000). */
  limit?: number;
  includeEmptyIntervals?: boolean;
  signal?: AbortSignal;
  /** Not sent when no budget comes before this (epoch ms): StartByPassedError. */
  startBy?: number;
}

const INCLUDE = 'base_token,quote_token,dex';
const seg = encodeURIComponent;

export class ApiClient {
  readonly limiter: RateLimiter;
  private readonly http: ApiHttp;
  private readonly clock: Clock;

  constructor(options: ApiClientOptions = {}) {
    this.clock = options.clock ?? systemClock;
    const onQueueWait = options.hooks?.onQueueWait?.bind(options.hooks);
    this.limiter =
      options.limiter ??
      new RateLimiter({
        clock: this.clock,
        requestsPerMinute: options.requestsPerMinute,
        burst: options.burst,
        marginMs: options.marginMs,
        dailyLimit: options.dailyLimit,
        budgetStore: options.budgetStore,
        budgetKey: options.budgetKey,
        ...(onQueueWait ? { onAcquire: onQueueWait } : {}),
      });
    const baseUrl = options.baseUrl ?? (options.apiKey ? PRO_BASE_URL : PUBLIC_BASE_URL);
    this.http = new ApiHttp({
      baseUrl,
      apiKey: options.apiKey,
      clock: this.clock,
      limiter: this.limiter,
      timeoutMs: options.timeoutMs ?? 15_000,
      maxAttempts: options.maxAttempts ?? 5,
      maxRetryWaitMs: options.maxRetryWaitMs ?? 120_000,
      retryInitialDelayMs: options.retryInitialDelayMs,
      retryMaxDelayMs: options.retryMaxDelayMs,
      breakerThreshold: options.breakerThreshold ?? 5,
      breakerHalfOpenAfterMs: options.breakerHalfOpenAfterMs ?? 30_000,
      hooks: options.hooks,
    });
  }

  get breakerState(): BreakerState {
    return this.http.breaker.state;
  }

  /**
   * The API was seen answering at `seenUpAt` elsewhere (a probe, another process's runs): the
   * circuit breaker closes, as after a passing probe; requests hung since before then, or
   * waiting to retry, ask again at once (after a long outage, back to back: see
   * RateLimiter.onApiBack); and, unless the answer was seen by this process (its limiter counted
   * it already), a rate lowered by 429s climbs back as after an answer here (the other process's
   * answer ended the storm for both: they share one IP).
   */
  noteApiUp(seenUpAt: number = this.clock.now(), seenHere = false): void {
    this.http.breaker.recordSuccess();
    const outage = this.http.availability.seenUp(seenUpAt);
    if (outage !== undefined) this.limiter.onApiBack(outage);
    if (!seenHere) this.limiter.onAnswered(seenUpAt);
  }

  /** Each request that finds the API unavailable, and the first answer after one (see ApiAvailability). */
  onApiNews(listener: (news: ApiNews) => void): () => void {
    return this.http.availability.onNews(listener);
  }

  /**
   * Proves the API answers with ONE request (the networks list, page 1): no retry, not held back
   * by an open circuit breaker (a success closes it), through the shared rate limiter. Throws
   * ApiUnavailableError when the API is down (ApiRateLimitError on a 429).
   */
  probe(signal?: AbortSignal): Promise<void> {
    return this.http.probe('networks', 'networks', { page: 1 }, signal);
  }

  networks(options: PageOptions = {}): AsyncGenerator<NetworksPage & { page: number }> {
    return paginate(async (page) => {
      const body = await this.http.get('networks', 'networks', { page }, options.signal);
      return body === null ? null : parseNetworksPage(body, `GET /networks?page=${page}`);
    }, options);
  }

  dexes(network: string, options: PageOptions = {}): AsyncGenerator<DexesPage & { page: number }> {
    const path = `networks/${seg(network)}/dexes`;
    return paginate(async (page) => {
      const body = await this.http.get('networks/{network}/dexes', path, { page }, options.signal);
      return body === null ? null : parseDexesPage(body, network, `GET /${path}?page=${page}`);
    }, options);
  }

  topPools(network: string, options: PoolListOptions = {}): AsyncGenerator<PoolsPage & { page: number }> {
    return this.poolList('networks/{network}/pools', `networks/${seg(network)}/pools`, network, options);
  }

  topPoolsByDex(network: string, dex: string, options: PoolListOptions = {}): AsyncGenerator<PoolsPage & { page: number }> {
    return this.poolList('networks/{network}/dexes/{dex}/pools', `networks/${seg(network)}/dexes/${seg(dex)}/pools`, network, options);
  }

  /** Trending pools of one network, or across networks when `network` is null. */
  trendingPools(network: string | null, options: PoolListOptions & { duration?: '5m' | '1h' | '6h' | '24h' } = {}): AsyncGenerator<PoolsPage & { page: number }> {
    const extra = options.duration ? { duration: options.duration } : {};
    if (network === null) return this.poolList('networks/trending_pools', 'networks/trending_pools', undefined, options, extra);
    return this.poolList('networks/{network}/trending_pools', `networks/${seg(network)}/trending_pools`, network, options, extra);
  }

  newPools(network: string, options: PoolListOptions = {}): AsyncGenerator<PoolsPage & { page: number }> {
    return this.poolList('networks/{network}/new_pools', `networks/${seg(network)}/new_pools`, network, options);
  }

  newPoolsAllNetworks(options: PoolListOptions = {}): AsyncGenerator<PoolsPage & { page: number }> {
    return this.poolList('networks/new_pools', 'networks/new_pools', undefined, options);
  }

  tokenPools(network: string, tokenAddress: string, options: PoolListOptions = {}): AsyncGenerator<PoolsPage & { page: number }> {
    return this.poolList('networks/{network}/tokens/{token}/pools', `networks/${seg(network)}/tokens/${seg(tokenAddress)}/pools`, network, options);
  }

  /** One pool by address; null when the API does not know it. */
  async pool(network: string, address: string, options: { include?: boolean; signal?: AbortSignal } = {}): Promise<PoolsPage | null> {
    const path = `networks/${seg(network)}/pools/${seg(address)}`;
    const body = await this.http.get('networks/{network}/pools/{address}', path, this.includeQuery(options.include), options.signal);
    return body === null ? null : parsePoolDocument(body, { what: `GET /${path}`, observedAt: this.observedAt(), network });
  }

  /** Pools by address, 30 per call: one page per call, each with the addresses the API dropped. */
  async *poolsMulti(network: string, addresses: readonly string[], options: { include?: boolean; signal?: AbortSignal } = {}): AsyncGenerator<PoolsMultiPage> {
    for (const requested of chunk([...new Set(addresses)], MULTI_MAX_ADDRESSES)) {
      const path = `networks/${seg(network)}/pools/multi/${requested.map(seg).join(',')}`;
      const body = await this.http.get('networks/{network}/pools/multi/{addresses}', path, this.includeQuery(options.include), options.signal);
      const page = body === null ? emptyPoolsPage() : parsePoolsPage(body, { what: `GET /${path}`, observedAt: this.observedAt(), network });
      const found = new Set(page.pools.map((p) => p.address.toLowerCase()));
      for (const r of page.rejected) if (r.id) found.add(r.id.slice(network.length + 1).toLowerCase());
      yield { ...page, requested, missing: requested.filter((a) => !found.has(a.toLowerCase())) };
    }
  }

  /** One token; null when the API does not know it. */
  async token(network: string, address: string, options: { signal?: AbortSignal } = {}): Promise<TokenResult | null> {
    const path = `networks/${seg(network)}/tokens/${seg(address)}`;
    const body = await this.http.get('networks/{network}/tokens/{address}', path, {}, options.signal);
    return body === null ? null : parseTokenDocument(body, `GET /${path}`);
  }

  /** One OHLCV call: up to `limit` candles before `before`, in USD. Null when the pool is unknown. */
  async ohlcv(network: string, poolAddress: string, timeframe: Timeframe, options: OhlcvOptions = {}): Promise<CandlesPage | null> {
    const { timeframe: unit, aggregate } = TIMEFRAME_PARAMS[timeframe];
    const path = `networks/${seg(network)}/pools/${seg(poolAddress)}/ohlcv/${unit}`;
    const query: Query = {
      aggregate,
      before_timestamp: options.before,
      limit: clampLimit(options.limit),
      currency: 'usd',
      include_empty_intervals: options.includeEmptyIntervals ? true : undefined,
    };
    const body = await this.http.get('networks/{network}/pools/{address}/ohlcv/{timeframe}', path, query, options.signal, options.startBy);
    return body === null ? null : parseOhlcvPage(body, { poolId: `${network}_${poolAddress}`, timeframe, what: `GET /${path}` });
  }

  /**
   * Candles from now (or `before`) back to `from` (epoch seconds, inclusive), one page per call,
   * newest page first; each page holds only candles at or after `from`. Stops at a short page
   * (the pool's history is exhausted), at `from`, or when a page makes no progress.
   */
  async *ohlcvHistory(network: string, poolAddress: string, timeframe: Timeframe, options: OhlcvOptions & { from: number }): AsyncGenerator<CandlesPage> {
    const limit = clampLimit(options.limit);
    let before = options.before;
    for (;;) {
      const page = await this.ohlcv(network, poolAddress, timeframe, { ...options, before, limit });
      if (page === null) return;
      yield { ...page, candles: page.candles.filter((c) => c.ts >= options.from) };
      const oldest = page.oldestTs;
      if (page.rowCount < limit || oldest === null || oldest <= options.from || (before !== undefined && oldest >= before)) return;
      before = oldest;
    }
  }

  /** The pool's last 300 trades within 24 h (no paging), optionally only above a USD volume. */
  async trades(network: string, poolAddress: string, options: { minVolumeUsd?: number; signal?: AbortSignal; startBy?: number } = {}): Promise<TradesPage | null> {
    const path = `networks/${seg(network)}/pools/${seg(poolAddress)}/trades`;
    const query: Query = { trade_volume_in_usd_greater_than: options.minVolumeUsd || undefined };
    const body = await this.http.get('networks/{network}/pools/{address}/trades', path, query, options.signal, options.startBy);
    return body === null ? null : parseTradesPage(body, `${network}_${poolAddress}`, `GET /${path}`);
  }

  private poolList(endpoint: string, path: string, network: string | undefined, options: PoolListOptions, extra: Query = {}): AsyncGenerator<PoolsPage & { page: number }> {
    return paginate(async (page) => {
      const query: Query = { ...extra, ...this.includeQuery(options.include), sort: options.sort, page };
      const body = await this.http.get(endpoint, path, query, options.signal);
      return body === null ? null : parsePoolsPage(body, { what: `GET /${path}?page=${page}`, observedAt: this.observedAt(), ...(network === undefined ? {} : { network }) });
    }, options);
  }

  private includeQuery(include: boolean | undefined): Query {
    return include === false ? {} : { include: INCLUDE };
  }

  private observedAt(): number {
    return Math.floor(this.clock.now() / 1000);
  }
}

function clampLimit(limit: number | undefined): number {
  return Math.min(OHLCV_MAX_LIMIT, Math.max(1, Math.floor(limit ?? OHLCV_MAX_LIMIT)));
}

function emptyPoolsPage(): PoolsPage {
  return { pools: [], tokens: [], dexes: [], rejected: [], itemCount: 0 };
}

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  return new ApiClient(options);
}

/** Client options from the `api` section of the configuration (the runtime adds clock, hooks, budget store). */
export function apiClientOptions(api: GtcConfig['api']): ApiClientOptions {
  return {
    // A key with the public default host means the keyed CoinGecko host was meant.
    baseUrl: api.apiKey && api.baseUrl === PUBLIC_BASE_URL ? PRO_BASE_URL : api.baseUrl,
    apiKey: api.apiKey,
    requestsPerMinute: api.requestsPerMinute,
    burst: api.burst,
    dailyLimit: api.dailyLimit,
    budgetKey: api.budgetKey,
    timeoutMs: api.timeoutMs,
    maxAttempts: api.maxAttempts,
    maxRetryWaitMs: api.maxRetryWait,
    breakerThreshold: api.breakerThreshold,
    breakerHalfOpenAfterMs: api.breakerHalfOpenAfter,
  };
}
