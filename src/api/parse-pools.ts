/**
 * Pool lists and single pools → PoolRecord, with their tokens and dexes resolved from `included`.
 * A token that is not in `included` (no include param) stays an id on the pool: no record with a
 * made-up name is ever produced. Dexes get their network from the pools that reference them.
 */
import type { DexRecord, PoolRecord, TokenRecord, TransactionCounts } from '../lib/records.ts';
import { dexItem, poolItem, tokenItem, type PoolItem, type TokenItem } from './schemas.ts';
import { dataList, dataObject, decodeDocument, includedList, itemId, ruleReason, validateEach, validateItem, withId, type Rejection } from './validate.ts';

export interface PoolsPage {
  pools: PoolRecord[];
  /** Tokens from `included` only. */
  tokens: TokenRecord[];
  /** Dexes from `included` only, one per (network, dex) a pool of this page uses. */
  dexes: DexRecord[];
  /** Invalid items of `data` (reason starts `data[i]`) and of `included` (`included[i]`). */
  rejected: Rejection[];
  /** Items in `data`, valid or not: the short-page rule counts these. */
  itemCount: number;
}

export interface PoolParseContext {
  /** What was fetched, for error messages, e.g. "GET networks/{network}/pools". */
  what: string;
  /** When gtc observed the pools (epoch seconds): becomes PoolRecord.updatedAt. */
  observedAt: number;
  /** The network of the request path, used when an id does not reveal it. */
  network?: string;
}

/**
 * The network part of `{network}_{address}`: the id minus `_${address}` (network ids contain `_`,
 * so never split on the first one). Addresses compare exactly, then case-insensitively (EVM).
 */
export function networkFromId(id: string, address: string): string | undefined {
  const suffix = `_${address}`;
  if (id.length <= suffix.length) return undefined;
  if (id.endsWith(suffix) || id.toLowerCase().endsWith(suffix.toLowerCase())) return id.slice(0, id.length - suffix.length);
  return undefined;
}

function transactionsH24(transactions: Record<string, TransactionCounts>): number | null {
  const h24 = transactions.h24;
  if (!h24) return null;
  const { buys, sells } = h24;
  if ((buys === undefined || buys === null) && (sells === undefined || sells === null)) return null;
  return (buys ?? 0) + (sells ?? 0);
}

function toPoolRecord(item: PoolItem, network: string, observedAt: number): PoolRecord {
  const a = item.attributes;
  const r = item.relationships;
  return {
    id: item.id,
    network,
    address: a.address,
    name: a.name,
    dexId: r.dex,
    baseTokenId: r.base_token,
    quoteTokenId: r.quote_token,
    baseTokenPriceUsd: a.base_token_price_usd,
    quoteTokenPriceUsd: a.quote_token_price_usd,
    baseTokenPriceNativeCurrency: a.base_token_price_native_currency,
    quoteTokenPriceNativeCurrency: a.quote_token_price_native_currency,
    baseTokenPriceQuoteToken: a.base_token_price_quote_token,
    quoteTokenPriceBaseToken: a.quote_token_price_base_token,
    reserveInUsd: a.reserve_in_usd,
    fdvUsd: a.fdv_usd,
    marketCapUsd: a.market_cap_usd,
    volumeUsdH24: a.volume_usd.h24 ?? null,
    priceChangeH24: a.price_change_percentage.h24 ?? null,
    transactionsH24: transactionsH24(a.transactions),
    priceChangePercentage: a.price_change_percentage,
    volumeUsd: a.volume_usd,
    transactions: a.transactions,
    poolCreatedAt: a.pool_created_at,
    updatedAt: observedAt,
  };
}

function poolNetwork(item: PoolItem, contextNetwork: string | undefined): string | undefined {
  if (item.relationships.network) return item.relationships.network;
  const fromId = networkFromId(item.id, item.attributes.address);
  if (fromId !== undefined) return fromId;
  return contextNetwork !== undefined && item.id.startsWith(`${contextNetwork}_`) ? contextNetwork : undefined;
}

/** A TokenRecord from a validated token item, or a rejection reason when its id hides the network. */
export function toTokenRecord(item: TokenItem, prefix: string): TokenRecord | string {
  const a = item.attributes;
  const network = networkFromId(item.id, a.address);
  if (network === undefined) return ruleReason(prefix, ['id'], `does not end with "_${a.address.slice(0, 60)}" (the token address)`, item.id);
  return { id: item.id, network, address: a.address, name: a.name, symbol: a.symbol, decimals: a.decimals, imageUrl: a.image_url, coingeckoCoinId: a.coingecko_coin_id };
}

function typeOf(item: unknown): unknown {
  return typeof item === 'object' && item !== null ? (item as { type?: unknown }).type : undefined;
}

/** Pools of `data` (a list, or one object for the pool-by-address endpoint) resolved against `included`. */
function readPools(doc: Record<string, unknown>, data: unknown[], context: PoolParseContext): PoolsPage {
  const rejected: Rejection[] = [];
  const pools: PoolRecord[] = [];
  for (const { index, value } of validateEach(data, poolItem, 'data', rejected)) {
    const network = poolNetwork(value, context.network);
    if (network === undefined) {
      rejected.push(withId({ index, reason: ruleReason(`data[${index}]`, ['id'], `does not end with "_${value.attributes.address.slice(0, 60)}" and names no network`, value.id) }, value.id));
      continue;
    }
    pools.push(toPoolRecord(value, network, context.observedAt));
  }

  const tokens: TokenRecord[] = [];
  const dexNames = new Map<string, string>();
  includedList(doc).forEach((entry, index) => {
    const type = typeOf(entry);
    const prefix = `included[${index}]`;
    if (type === 'token') {
      const result = validateItem(entry, tokenItem, prefix);
      const token = result.ok ? toTokenRecord(result.value, prefix) : result.reason;
      if (typeof token === 'string') rejected.push(withId({ index, reason: token }, itemId(entry)));
      else tokens.push(token);
    } else if (type === 'dex') {
      const result = validateItem(entry, dexItem, prefix);
      if (result.ok) dexNames.set(result.value.id, result.value.attributes.name);
      else rejected.push(withId({ index, reason: result.reason }, itemId(entry)));
    }
  });

  const dexes = new Map<string, DexRecord>();
  for (const pool of pools) {
    const name = pool.dexId === null ? undefined : dexNames.get(pool.dexId);
    if (pool.dexId === null || name === undefined) continue;
    const id = `${pool.network}_${pool.dexId}`;
    if (!dexes.has(id)) dexes.set(id, { id, network: pool.network, dexId: pool.dexId, name });
  }
  return { pools, tokens, dexes: [...dexes.values()], rejected, itemCount: data.length };
}

/** A page of a pool list endpoint (top, new, trending, token pools, pools/multi). */
export function parsePoolsPage(body: string, context: PoolParseContext): PoolsPage {
  const doc = decodeDocument(body, context.what);
  return readPools(doc, dataList(doc, context.what), context);
}

/** The pool-by-address endpoint: one pool (itemCount 1), or a rejection. */
export function parsePoolDocument(body: string, context: PoolParseContext): PoolsPage {
  const doc = decodeDocument(body, context.what);
  return readPools(doc, [dataObject(doc, context.what)], context);
}
