/**
 * Zod schemas of single JSON:API items. They validate one item at a time (a bad item is rejected,
 * its page is kept), strip unknown fields (new API fields never fail), and normalise the leaves
 * through coerce.ts. Their inputs are the shapes of wire-types.ts, and dirtier ones.
 *
 * Which keys must be present: the ones a row is worthless without and every response of every era
 * has (ids, addresses, names, USD prices, reserve, trade amounts and volume). A rename of one of
 * them rejects the item loudly instead of storing NULL prices. Fields that came and went over the
 * years (`market_cap_usd`, `base_token_price_quote_token`, window maps, …) may be missing.
 */
import { z } from 'zod/v4';
import { count, decimal, decimalMap, optionalDecimal, epochSeconds, nonEmptyText, optionalEpochSeconds, optionalText, text, transactionsMap } from './coerce.ts';

/** `relationships.x` → the related id, or null when absent. */
const relationshipId = z
  .object({ data: z.object({ id: nonEmptyText }).nullable().optional() })
  .nullable()
  .optional()
  .transform((value) => value?.data?.id ?? null);

export const networkItem = z.object({
  id: nonEmptyText,
  attributes: z.object({ name: text, coingecko_asset_platform_id: optionalText }),
});

export const dexItem = z.object({
  id: nonEmptyText,
  attributes: z.object({ name: text }),
});

export const tokenItem = z.object({
  id: nonEmptyText,
  attributes: z.object({
    address: nonEmptyText,
    name: text,
    symbol: text,
    decimals: count,
    image_url: optionalText,
    coingecko_coin_id: optionalText,
  }),
});

export const poolItem = z.object({
  id: nonEmptyText,
  attributes: z.object({
    address: nonEmptyText,
    name: text,
    base_token_price_usd: decimal,
    quote_token_price_usd: decimal,
    base_token_price_native_currency: optionalDecimal,
    quote_token_price_native_currency: optionalDecimal,
    base_token_price_quote_token: optionalDecimal,
    quote_token_price_base_token: optionalDecimal,
    reserve_in_usd: decimal,
    fdv_usd: optionalDecimal,
    market_cap_usd: optionalDecimal,
    pool_created_at: optionalEpochSeconds,
    price_change_percentage: decimalMap,
    volume_usd: decimalMap,
    transactions: transactionsMap,
  }),
  relationships: z
    .object({ base_token: relationshipId, quote_token: relationshipId, dex: relationshipId, network: relationshipId })
    .nullable()
    .optional()
    .transform((value) => value ?? { base_token: null, quote_token: null, dex: null, network: null }),
});

export const tradeItem = z.object({
  id: nonEmptyText,
  attributes: z.object({
    block_number: count,
    tx_hash: nonEmptyText,
    tx_from_address: optionalText,
    from_token_amount: decimal,
    to_token_amount: decimal,
    price_from_in_currency_token: optionalDecimal,
    price_to_in_currency_token: optionalDecimal,
    price_from_in_usd: decimal,
    price_to_in_usd: decimal,
    block_timestamp: epochSeconds,
    kind: z.enum(['buy', 'sell']),
    volume_in_usd: decimal,
    from_token_address: optionalText,
    to_token_address: optionalText,
  }),
});

export type NetworkItem = z.output<typeof networkItem>;
export type DexItem = z.output<typeof dexItem>;
export type TokenItem = z.output<typeof tokenItem>;
export type PoolItem = z.output<typeof poolItem>;
export type TradeItem = z.output<typeof tradeItem>;
