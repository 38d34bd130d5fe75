import type { WireDex, WireNetwork, WirePool, WireToken, WireTrade } from '../api/wire-types.ts';
import type { NetworkSpec } from './catalog.ts';
import { decToString, type Dec } from './decimal.ts';
import type { Market } from './market.ts';
import { tradeBaseAmount, tradeBaseUsd, tradeId, tradeTxHash, walletAddress, type SimTrade } from './trades.ts';
import type { SimPool, SimToken } from './universe.ts';

/**
 * JSON:API resources in exactly the shapes (and key order) of the real API's 2025 responses,
 * see ../shared/fixtures/geckoterminal.
 */

/** ISO 8601 UTC to the second, as the API writes times: "2025-09-08T20:09:26Z". */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const dec = (value: Dec): string => decToString(value);

export interface PoolRenderOptions {
  /** Cross-network lists add a `network` relationship. */
  withNetwork?: boolean;
  /** The token-pools endpoint adds `token_price_usd` for the token asked about. */
  priceOf?: SimToken;
}

export function renderPool(market: Market, pool: SimPool, now: number, options: PoolRenderOptions): WirePool {
  const s = market.snapshot(pool, now);
  const windows = <T, R>(values: Record<string, T>, map: (v: T) => R): Record<string, R> =>
    Object.fromEntries(Object.entries(values).map(([key, value]) => [key, map(value)]));
  const tokenPrice = options.priceOf ? { token_price_usd: dec(options.priceOf.id === pool.base.id ? s.baseUsd : s.quoteUsd) } : {};
  return {
    id: pool.id,
    type: 'pool',
    attributes: {
      base_token_price_usd: dec(s.baseUsd),
      base_token_price_native_currency: dec(s.baseNative),
      quote_token_price_usd: dec(s.quoteUsd),
      quote_token_price_native_currency: dec(s.quoteNative),
      base_token_price_quote_token: decToString(roundSignificant(s.priceNative, 10)),
      quote_token_price_base_token: decToString(inverse(s.priceNative)),
      address: pool.address,
      name: pool.name,
      pool_created_at: isoSeconds(pool.createdAt),
      ...tokenPrice,
      fdv_usd: dec(s.fdvUsd),
      market_cap_usd: s.marketCapUsd === null ? null : dec(s.marketCapUsd),
      price_change_percentage: s.priceChange,
      transactions: windows(s.transactions, (t) => ({ ...t })),
      volume_usd: windows(s.volumeUsd, dec),
      reserve_in_usd: dec(s.reserveUsd),
    },
    relationships: {
      base_token: { data: { id: pool.base.id, type: 'token' } },
      quote_token: { data: { id: pool.quote.id, type: 'token' } },
      ...(options.withNetwork ? { network: { data: { id: pool.network.id, type: 'network' } } } : {}),
      dex: { data: { id: pool.dexId, type: 'dex' } },
    },
  };
}

/** `value` rounded to `digits` significant digits (half away from zero). */
function roundSignificant(value: Dec, digits: number): Dec {
  const length = (value.m < 0n ? -value.m : value.m).toString().length;
  const drop = length - digits;
  if (drop <= 0 || drop > value.s) return value;
  const divisor = 10n ** BigInt(drop);
  return { m: (value.m + divisor / 2n) / divisor, s: value.s - drop };
}

/** 1 / value with 15 significant digits. */
function inverse(value: Dec): Dec {
  const length = value.m.toString().length;
  const scale = Math.max(0, 15 - (length - value.s));
  const m = (10n ** BigInt(scale + value.s)) / value.m;
  return roundSignificant({ m, s: scale }, 15);
}

export function renderToken(token: SimToken): WireToken {
  return {
    id: token.id,
    type: 'token',
    attributes: {
      address: token.address,
      name: token.name,
      symbol: token.symbol,
      decimals: token.decimals,
      image_url: token.imageUrl,
      coingecko_coin_id: token.coingeckoCoinId,
    },
  };
}

export function renderDex(id: string, name: string): WireDex {
  return { id, type: 'dex', attributes: { name } };
}

export function renderNetwork(spec: NetworkSpec): WireNetwork {
  return { id: spec.id, type: 'network', attributes: { name: spec.name, coingecko_asset_platform_id: spec.coingeckoAssetPlatformId } };
}

export type IncludeKey = 'base_token' | 'quote_token' | 'dex';

/** The `included` array for pools: each resource once, in order of first reference. */
export function renderIncluded(pools: SimPool[], include: IncludeKey[]): (WireToken | WireDex)[] {
  const seen = new Set<string>();
  const out: (WireToken | WireDex)[] = [];
  for (const pool of pools) {
    for (const key of include) {
      const resource =
        key === 'dex'
          ? renderDex(pool.dexId, pool.network.dexes.find((d) => d.id === pool.dexId)?.name ?? pool.dexId)
          : renderToken(key === 'base_token' ? pool.base : pool.quote);
      const seenKey = `${resource.type}|${resource.id}`;
      if (seen.has(seenKey)) continue;
      seen.add(seenKey);
      out.push(resource);
    }
  }
  return out;
}

export function renderTrade(seedHash: number, trade: SimTrade): WireTrade {
  const { pool } = trade;
  const buy = trade.kind === 'buy';
  const one = '1.0';
  const baseAmount = tradeBaseAmount(trade);
  const baseUsd = tradeBaseUsd(trade);
  const txHash = tradeTxHash(seedHash, trade);
  return {
    id: tradeId(seedHash, trade, txHash),
    type: 'trade',
    attributes: {
      block_number: trade.blockNumber,
      tx_hash: txHash,
      tx_from_address: walletAddress(seedHash, pool, trade.wallet),
      from_token_amount: dec(buy ? trade.quoteAmount : baseAmount),
      to_token_amount: dec(buy ? baseAmount : trade.quoteAmount),
      price_from_in_currency_token: buy ? one : dec(trade.priceNative),
      price_to_in_currency_token: buy ? dec(trade.priceNative) : one,
      price_from_in_usd: dec(buy ? trade.quoteUsd : baseUsd),
      price_to_in_usd: dec(buy ? baseUsd : trade.quoteUsd),
      block_timestamp: isoSeconds(trade.atMs),
      kind: trade.kind,
      volume_in_usd: dec(trade.volumeUsd),
      from_token_address: buy ? pool.quote.address : pool.base.address,
      to_token_address: buy ? pool.base.address : pool.quote.address,
    },
  };
}
