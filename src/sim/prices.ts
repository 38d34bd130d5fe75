import { decAtScale, decFromDoublePrecision, type Dec } from './decimal.ts';
import { gaussianFromHash, hashInts, hashString } from './prng.ts';
import type { SimPool, SimToken } from './universe.ts';
import { walkPrice } from './walk.ts';

/** Decimal places of quote token USD prices (as upstream: "212.618160283895494927350632339277383984859223512"). */
export const QUOTE_SCALE = 45;

/** Prices of the simulated market: every token's USD price walk, and the decimals derived from them. */
export class PriceModel {
  private readonly seedHash: number;

  constructor(seed: string) {
    this.seedHash = hashString(seed);
  }

  /** USD price of a token at `atMs`, as a double (model arithmetic). */
  usd(token: SimToken, atMs: number): number {
    return walkPrice(this.seedHash, token.walkKey, atMs, token.startUsd, token.sigmaPerDay);
  }

  /**
   * The quote token's USD price with 45 decimal places, as upstream writes them: 15 significant
   * digits from the walk, then digits from a hash of (token, instant). Always at scale 45, so
   * products with it have a fixed scale per pool and sum without rescaling.
   */
  quoteUsd(token: SimToken, atMs: number, usd = this.usd(token, atMs)): Dec {
    const head = decFromDoublePrecision(usd, 15);
    const tailDigits = Math.max(0, QUOTE_SCALE - head.s);
    let tail = '';
    for (let i = 0; tail.length < tailDigits; i++) {
      tail += String(hashInts(this.seedHash, token.walkKey, Math.floor(atMs / 2 ** 32), atMs, i) % 1_000_000_000).padStart(9, '0');
    }
    return { m: decAtScale(head, QUOTE_SCALE).m + BigInt(tail.slice(0, tailDigits) || '0'), s: QUOTE_SCALE };
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
