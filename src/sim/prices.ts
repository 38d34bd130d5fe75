import { decAtScale, decFromDoublePrecision, pow10, type Dec } from './decimal.ts';
import { LruCache } from './lru.ts';
import { gaussianFromHash, hashInts, hashString } from './prng.ts';
import type { SimPool, SimToken } from './universe.ts';
import { walkPrice } from './walk.ts';

/** Decimal places of quote token USD prices (as upstream: "212.618160283895494927350632339277383984859223512"). */
export const QUOTE_SCALE = 45;

export interface QuotePrice {
  usd: number;
  exact: Dec;
}

/** Prices of the simulated market: every token's USD price walk, and the decimals derived from them. */
export class PriceModel {
  private readonly seedHash: number;
  private readonly quotes = new LruCache<QuotePrice>(50_000, () => 1);

  constructor(seed: string) {
    this.seedHash = hashString(seed);
  }

  /** USD price of a token at `atMs`, as a double (model arithmetic). */
  usd(token: SimToken, atMs: number): number {
    return walkPrice(this.seedHash, token.walkKey, atMs, token.startUsd, token.sigmaPerDay);
  }

  /**
   * A quote token's USD price, sampled once a minute (trades of every pool in that minute share
   * it): the double, and the exact decimal with 45 places as upstream writes them — 15
   * significant digits from the walk, then digits from a hash of (token, minute). Always at
   * scale 45, so products with it have a fixed scale per pool and sum without rescaling.
   */
  quote(token: SimToken, atMs: number): QuotePrice {
    const minute = Math.floor(atMs / 60_000);
    const key = `${token.walkKey}|${minute}`;
    const cached = this.quotes.get(key);
    if (cached) return cached;
    const usd = this.usd(token, minute * 60_000);
    const head = decFromDoublePrecision(usd, 15);
    const tailDigits = Math.max(0, QUOTE_SCALE - head.s);
    let tail = 0n;
    for (let i = 0; i < 5; i++) tail = (tail << 32n) | BigInt(hashInts(this.seedHash, token.walkKey, minute, i));
    const price = { usd, exact: { m: decAtScale(head, QUOTE_SCALE).m + (tail % pow10(tailDigits)), s: QUOTE_SCALE } };
    this.quotes.set(key, price);
    return price;
  }

  /** Base price in quote tokens, 15 significant digits. */
  priceNative(pool: SimPool, atMs: number, quoteUsd = this.usd(pool.quote, atMs)): Dec {
    return decFromDoublePrecision(this.usd(pool.base, atMs) / quoteUsd, 15);
  }

  /** Trade-rate multiplier of one window: log-normal around 1, so pools have busy and quiet hours. */
  activity(pool: SimPool, window: number): number {
    return Math.exp(0.5 * gaussianFromHash(hashInts(this.seedHash, pool.key, window, 0x5eed)) - 0.125);
  }
}
