import { RawNumber } from './json.ts';

/**
 * The bad pages a client must survive: malformed bodies (truncated JSON, an HTML error page with
 * status 200, nothing, garbage) and schema drift (unknown fields, numbers as strings and the
 * reverse, a renamed or removed field, one corrupted item among good ones). Drift never changes
 * a value's digits: a decimal only becomes a JSON number when the number round-trips exactly.
 */
type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RawNumber);

/** Picks the variant for one request: the given one, or a rotation for "mixed". */
function chooseVariant(variants: readonly string[], variant: string | undefined, seq: number): string {
  if (variant !== undefined && variant !== 'mixed') return variant;
  return variants[seq % variants.length] as string;
}

export function malformedBody(text: string, variant: string | undefined, seq: number): { body: string; contentType: string } {
  switch (chooseVariant(['truncated', 'html', 'garbage', 'empty'], variant, seq)) {
    case 'html':
      return { body: '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>', contentType: 'text/html; charset=UTF-8' };
    case 'empty':
      return { body: '', contentType: 'application/json; charset=utf-8' };
    case 'garbage':
      return { body: `{"data":[{"id":"x",,]}\u0000${text.slice(0, 40)}`, contentType: 'application/json; charset=utf-8' };
    default:
      return { body: text.slice(0, Math.max(1, Math.floor(text.length * 0.6))), contentType: 'application/json; charset=utf-8' };
  }
}

/** Returns a drifted copy of a response body; `mixed` applies extra fields, type swaps and one corrupted item. */
export function driftBody(body: Json, variant: string | undefined, seq: number): Json {
  const copy = clone(body);
  if (!isObject(copy)) return copy;
  const kinds = variant === undefined || variant === 'mixed' ? ['extra', 'types', 'corrupt-item'] : [variant];
  for (const kind of kinds) {
    if (kind === 'extra') addExtraFields(copy);
    else if (kind === 'types') swapTypes(copy);
    else if (kind === 'rename') renameField(copy);
    else if (kind === 'remove') removeField(copy);
    else if (kind === 'corrupt-item') corruptOneItem(copy, seq);
  }
  return copy;
}

function clone(value: Json): Json {
  if (value instanceof RawNumber || !value || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(clone);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)]));
}

function items(body: JsonObject): JsonObject[] {
  const data = body.data;
  if (Array.isArray(data)) return data.filter(isObject);
  return isObject(data) ? [data] : [];
}

function attributesOf(item: JsonObject): JsonObject | undefined {
  return isObject(item.attributes) ? item.attributes : undefined;
}

function addExtraFields(body: JsonObject): void {
  body.meta_v2 = { generated_by: 'future-api', page_token: null };
  for (const item of items(body)) {
    item.meta = { cursor: 1 };
    const attributes = attributesOf(item);
    if (!attributes) continue;
    attributes.new_metric_2026 = 'N/A';
    attributes.locked_liquidity_percentage = null;
    for (const value of Object.values(attributes)) {
      if (isObject(value) && 'h24' in value) value.m1 = isObject(value.h24) ? { buys: 0, sells: 0 } : '0';
    }
  }
}

/** Counts become strings; decimal strings that round-trip become numbers; OHLCV values become strings. */
function swapTypes(body: JsonObject): void {
  for (const item of items(body)) {
    const attributes = attributesOf(item);
    if (!attributes) continue;
    if (Array.isArray(attributes.ohlcv_list)) {
      attributes.ohlcv_list = attributes.ohlcv_list.map((row) => (Array.isArray(row) ? row.map((v) => (v instanceof RawNumber ? v.lexeme : String(v))) : row));
      continue;
    }
    for (const [key, value] of Object.entries(attributes)) {
      if (typeof value === 'number') attributes[key] = String(value);
      else if (typeof value === 'string' && /^-?\d+\.\d+$/.test(value) && String(Number(value)) === value) attributes[key] = Number(value);
      else if (key === 'transactions' && isObject(value)) {
        for (const window of Object.values(value)) {
          if (!isObject(window)) continue;
          for (const [k, n] of Object.entries(window)) if (typeof n === 'number') window[k] = String(n);
        }
      }
    }
  }
}

const RENAMES: [string, string][] = [
  ['base_token_price_usd', 'base_token_price_in_usd'],
  ['volume_in_usd', 'volume_usd'],
  ['ohlcv_list', 'ohlcv'],
  ['coingecko_asset_platform_id', 'asset_platform_id'],
  ['name', 'display_name'],
];

function renameField(body: JsonObject): void {
  for (const item of items(body)) {
    const attributes = attributesOf(item);
    const rename = attributes && RENAMES.find(([from]) => from in attributes);
    if (!attributes || !rename) continue;
    attributes[rename[1]] = attributes[rename[0]];
    delete attributes[rename[0]];
  }
}

function removeField(body: JsonObject): void {
  for (const item of items(body)) {
    const attributes = attributesOf(item);
    if (!attributes) continue;
    for (const key of ['price_change_percentage', 'market_cap_usd', 'tx_from_address', 'image_url', 'coingecko_asset_platform_id']) delete attributes[key];
  }
  if (isObject(body.meta)) delete body.meta;
}

function corruptOneItem(body: JsonObject, seq: number): void {
  const list = items(body);
  const first = list[0];
  const ohlcv = first && attributesOf(first)?.ohlcv_list;
  if (Array.isArray(ohlcv)) {
    if (ohlcv.length > 0) ohlcv[seq % ohlcv.length] = ['not-a-time', null, 'NaN', {}, -1];
    return;
  }
  if (!Array.isArray(body.data) || list.length === 0) return;
  const item = list[seq % list.length] as JsonObject;
  const attributes = attributesOf(item);
  if (!attributes) return;
  if (item.type === 'trade') {
    attributes.block_timestamp = 'yesterday';
    attributes.kind = 42;
    attributes.volume_in_usd = { usd: 'lots' };
  } else {
    attributes.address = 12345;
    attributes.base_token_price_usd = ['not', 'a', 'price'];
    attributes.pool_created_at = 'not-a-date';
    attributes.name = null;
  }
}
