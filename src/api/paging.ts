/**
 * The API's list limits: 20 items per page, at most 10 pages; pools/multi takes 30 addresses;
 * OHLCV pages hold up to 1000 candles. Pagers are async iterators that fetch a page only when the
 * consumer asks for it, so a collector can commit each page before the next request goes out.
 */
import type { Timeframe } from '../lib/records.ts';

export const PAGE_SIZE = 20;
export const MAX_PAGES = 10;
export const MULTI_MAX_ADDRESSES = 30;
export const OHLCV_MAX_LIMIT = 1000;

export interface PageOptions {
  /** Pages to read at most (1–10, default 10). */
  pages?: number;
  /** First page number (default 1). */
  startPage?: number;
  signal?: AbortSignal;
}

/**
 * Fetches pages startPage, startPage+1, … until `pages` were read, a page holds fewer than 20
 * items (counting rejected ones), or the endpoint answers 404 (null).
 */
export async function* paginate<P extends { itemCount: number }>(fetchPage: (page: number) => Promise<P | null>, options: PageOptions = {}): AsyncGenerator<P & { page: number }> {
  const first = Math.max(1, Math.floor(options.startPage ?? 1));
  const last = Math.min(MAX_PAGES, first - 1 + Math.max(1, Math.floor(options.pages ?? MAX_PAGES)));
  for (let page = first; page <= last; page++) {
    const result = await fetchPage(page);
    if (result === null) return;
    yield { ...result, page };
    if (result.itemCount < PAGE_SIZE) return;
  }
}

/** `items` in chunks of at most `size`, order kept. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** gtc's timeframes → the API's path timeframe and `aggregate`. */
export const TIMEFRAME_PARAMS: Record<Timeframe, { timeframe: 'minute' | 'hour' | 'day'; aggregate: number }> = {
  '1m': { timeframe: 'minute', aggregate: 1 },
  '5m': { timeframe: 'minute', aggregate: 5 },
  '15m': { timeframe: 'minute', aggregate: 15 },
  '1h': { timeframe: 'hour', aggregate: 1 },
  '4h': { timeframe: 'hour', aggregate: 4 },
  '12h': { timeframe: 'hour', aggregate: 12 },
  '1d': { timeframe: 'day', aggregate: 1 },
};
