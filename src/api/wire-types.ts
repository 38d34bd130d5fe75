/**
 * The GeckoTerminal API's raw JSON:API response shapes, as the real API sends them (checked
 * against ../shared/fixtures/geckoterminal). Types only: the simulator imports them to produce
 * the same shapes, the client's zod schemas (schemas.ts) accept these and much dirtier variants.
 *
 * Decimals are JSON strings ("0.000123", up to ~70 significant digits) or null; counts,
 * `block_number` and `decimals` are JSON numbers; OHLCV rows are arrays of JSON numbers.
 */

/** A decimal as the API writes it: a string of digits, "NaN", or null. */
export type WireDecimal = string | null;

/** Window keys vary by era (`m5 m15 m30 h1 h6 h24`): an open map. */
export type WireWindowMap<T> = Record<string, T>;

export interface WireTransactionWindow {
  buys: number;
  sells: number;
  buyers?: number;
  sellers?: number;
}

export interface WireRelationship {
  data: { id: string; type: string } | null;
}

export interface WireLinks {
  first?: string | null;
  prev?: string | null;
  next?: string | null;
  last?: string | null;
}

export interface WireNetwork {
  id: string;
  type: 'network';
  attributes: { name: string; coingecko_asset_platform_id: string | null };
}

export interface WireDex {
  id: string;
  type: 'dex';
  attributes: { name: string };
}

export interface WireToken {
  /** `{network}_{address}` */
  id: string;
  type: 'token';
  attributes: {
    address: string;
    name: string;
    symbol: string;
    decimals?: number | null;
    image_url?: string | null;
    coingecko_coin_id: string | null;
    /** Present on the token endpoint, not in `included`. */
    price_usd?: WireDecimal;
    fdv_usd?: WireDecimal;
    total_reserve_in_usd?: WireDecimal;
    volume_usd?: WireWindowMap<WireDecimal>;
    market_cap_usd?: WireDecimal;
  };
  relationships?: { top_pools?: { data: { id: string; type: 'pool' }[] } };
}

export interface WirePool {
  /** `{network}_{address}` */
  id: string;
  type: 'pool';
  attributes: {
    address: string;
    name: string;
    base_token_price_usd: WireDecimal;
    quote_token_price_usd: WireDecimal;
    base_token_price_native_currency: WireDecimal;
    quote_token_price_native_currency: WireDecimal;
    /** Absent in 2023-era responses. */
    base_token_price_quote_token?: WireDecimal;
    quote_token_price_base_token?: WireDecimal;
    /** Only on the token-pools endpoint. */
    token_price_usd?: WireDecimal;
    reserve_in_usd: WireDecimal;
    /** ISO 8601 UTC, e.g. "2025-09-08T20:09:26Z"; null for some old pools. */
    pool_created_at: string | null;
    fdv_usd: WireDecimal;
    market_cap_usd: WireDecimal;
    price_change_percentage: WireWindowMap<WireDecimal>;
    transactions: WireWindowMap<WireTransactionWindow>;
    volume_usd: WireWindowMap<WireDecimal>;
  };
  relationships: {
    base_token: WireRelationship;
    quote_token: WireRelationship;
    dex: WireRelationship;
    /** Only on cross-network lists (`/networks/new_pools`, `/networks/trending_pools`). */
    network?: WireRelationship;
  };
}

export interface WireTrade {
  /** `{network}_{block}_{tx}_{log index}_{unix time}` */
  id: string;
  type: 'trade';
  attributes: {
    block_number: number;
    tx_hash: string;
    tx_from_address: string;
    from_token_amount: WireDecimal;
    to_token_amount: WireDecimal;
    price_from_in_currency_token: WireDecimal;
    price_to_in_currency_token: WireDecimal;
    price_from_in_usd: WireDecimal;
    price_to_in_usd: WireDecimal;
    /** ISO 8601 UTC. */
    block_timestamp: string;
    kind: 'buy' | 'sell';
    volume_in_usd: WireDecimal;
    from_token_address: string;
    to_token_address: string;
  };
}

/** `[ts_seconds, open, high, low, close, volume]`, JSON numbers, newest first. */
export type WireOhlcvRow = [number, number, number, number, number, number];

export interface WireOhlcvMetaToken {
  address: string;
  name: string;
  symbol: string;
  coingecko_coin_id: string | null;
}

export interface WireOhlcvResponse {
  data: {
    id: string;
    type: 'ohlcv_request_response';
    attributes: { ohlcv_list: WireOhlcvRow[] };
  };
  meta?: { base: WireOhlcvMetaToken; quote: WireOhlcvMetaToken };
}

/** A list response: 20 items per page at most. */
export interface WireListResponse<T, I = WireToken | WireDex> {
  data: T[];
  included?: I[];
  links?: WireLinks;
}

/** A single-resource response (pool by address, token). */
export interface WireItemResponse<T, I = WireToken | WireDex> {
  data: T;
  included?: I[];
}

export type WireNetworksResponse = WireListResponse<WireNetwork, never>;
export type WireDexesResponse = WireListResponse<WireDex, never>;
export type WirePoolsResponse = WireListResponse<WirePool>;
export type WirePoolResponse = WireItemResponse<WirePool>;
export type WireTokenResponse = WireItemResponse<WireToken, WirePool>;
export type WireTradesResponse = WireListResponse<WireTrade, never>;

/** The API's error body, e.g. on 404 or 429. */
export interface WireErrorResponse {
  errors?: { status: string; title: string; detail?: string }[];
  status?: { error_code: number; error_message: string };
}
