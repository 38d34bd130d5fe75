/** Networks, dexes of a network, and the token endpoint → NetworkRecord, DexRecord, TokenRecord. */
import type { DexRecord, NetworkRecord, TokenRecord } from '../lib/records.ts';
import { toTokenRecord } from './parse-pools.ts';
import { dexItem, networkItem, tokenItem } from './schemas.ts';
import { dataList, dataObject, decodeDocument, itemId, validateEach, validateItem, withId, type Rejection } from './validate.ts';

export interface NetworksPage {
  networks: NetworkRecord[];
  rejected: Rejection[];
  itemCount: number;
}

export interface DexesPage {
  dexes: DexRecord[];
  rejected: Rejection[];
  itemCount: number;
}

export interface TokenResult {
  /** Null when the token item was invalid (see `rejected`). */
  token: TokenRecord | null;
  rejected: Rejection[];
}

export function parseNetworksPage(body: string, what: string): NetworksPage {
  const data = dataList(decodeDocument(body, what), what);
  const rejected: Rejection[] = [];
  const networks = validateEach(data, networkItem, 'data', rejected).map(({ value }) => ({
    id: value.id,
    name: value.attributes.name,
    coingeckoAssetPlatformId: value.attributes.coingecko_asset_platform_id,
  }));
  return { networks, rejected, itemCount: data.length };
}

/** Dexes of one network (the list does not say which: the request path does). */
export function parseDexesPage(body: string, network: string, what: string): DexesPage {
  const data = dataList(decodeDocument(body, what), what);
  const rejected: Rejection[] = [];
  const dexes = validateEach(data, dexItem, 'data', rejected).map(({ value }) => ({
    id: `${network}_${value.id}`,
    network,
    dexId: value.id,
    name: value.attributes.name,
  }));
  return { dexes, rejected, itemCount: data.length };
}

/** The token endpoint: one token. */
export function parseTokenDocument(body: string, what: string): TokenResult {
  const item = dataObject(decodeDocument(body, what), what);
  const result = validateItem(item, tokenItem, 'data');
  const token = result.ok ? toTokenRecord(result.value, 'data') : result.reason;
  if (typeof token === 'string') return { token: null, rejected: [withId({ index: 0, reason: token }, itemId(item))] };
  return { token, rejected: [] };
}
