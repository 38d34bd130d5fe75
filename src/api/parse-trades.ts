/** The trades endpoint (the last 300 trades within 24 h, newest first, no paging) → TradeRecord. */
import type { TradeRecord } from '../lib/records.ts';
import { epochSeconds } from './coerce.ts';
import { placeRejections, type PlacedRejection } from './placed-rejections.ts';
import { tradeItem } from './schemas.ts';
import { dataList, decodeDocument, validateEach, type Rejection } from './validate.ts';

export interface TradesPage {
  trades: TradeRecord[];
  /** Rejected trades, placed in time by their block_timestamp or the valid trades around them. */
  rejected: PlacedRejection[];
  itemCount: number;
}

/** Trades carry no pool relationship: the pool is the one of the request path. */
export function parseTradesPage(body: string, poolId: string, what: string): TradesPage {
  const data = dataList(decodeDocument(body, what), what);
  const rejected: Rejection[] = [];
  const valid = validateEach(data, tradeItem, 'data', rejected);
  const trades = valid.map(({ value }): TradeRecord => {
    const a = value.attributes;
    return {
      id: value.id,
      poolId,
      blockNumber: a.block_number,
      blockTimestamp: a.block_timestamp,
      txHash: a.tx_hash,
      txFromAddress: a.tx_from_address,
      kind: a.kind,
      fromTokenAmount: a.from_token_amount,
      toTokenAmount: a.to_token_amount,
      priceFromInCurrencyToken: a.price_from_in_currency_token,
      priceToInCurrencyToken: a.price_to_in_currency_token,
      priceFromInUsd: a.price_from_in_usd,
      priceToInUsd: a.price_to_in_usd,
      volumeInUsd: a.volume_in_usd,
      fromTokenAddress: a.from_token_address,
      toTokenAddress: a.to_token_address,
    };
  });
  const listed: (number | null)[] = data.map(() => null);
  valid.forEach(({ index }, i) => {
    listed[index] = (trades[i] as TradeRecord).blockTimestamp;
  });
  const placed = placeRejections(rejected, listed, (index) => {
    const item = data[index] as { attributes?: { block_timestamp?: unknown } } | null;
    const ts = epochSeconds.safeParse(item?.attributes?.block_timestamp);
    return ts.success ? ts.data : undefined;
  });
  return { trades, rejected: placed, itemCount: data.length };
}
