/** The GeckoTerminal API client's public surface. */
export { ApiClient, apiClientOptions, createApiClient, type ApiClientOptions, type OhlcvOptions, type PoolListOptions, type PoolsMultiPage } from './client.ts';
export type { ApiNews } from './availability.ts';
export { MemoryBudgetStore, type BudgetStore, type BudgetTake } from './budget-store.ts';
export { ApiRateLimitError, ApiRequestError, ApiUnavailableError, InvalidResponseError, NoSpareBudgetError, StartByPassedError } from './errors.ts';
export { PRO_BASE_URL, PUBLIC_BASE_URL, type ApiHooks } from './http.ts';
export { MAX_PAGES, MULTI_MAX_ADDRESSES, OHLCV_MAX_LIMIT, PAGE_SIZE, TIMEFRAME_PARAMS, type PageOptions } from './paging.ts';
export { parseOhlcvPage, type CandlesPage } from './parse-ohlcv.ts';
export { networkFromId, parsePoolDocument, parsePoolsPage, type PoolsPage } from './parse-pools.ts';
export { parseDexesPage, parseNetworksPage, parseTokenDocument, type DexesPage, type NetworksPage, type TokenResult } from './parse-reference.ts';
export { parseTradesPage, type TradesPage } from './parse-trades.ts';
export { CircuitBreaker, RetryPolicy, withTimeout, type BreakerState } from '../lib/policies.ts';
export { RateLimiter, type RateLimiterOptions, type RateLimiterState } from './rate-limiter.ts';
export * from '../lib/records.ts';
export type { Rejection } from './validate.ts';
