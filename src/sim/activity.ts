import { TRADE_WINDOW_MS, type TradeSource } from './trades.ts';
import type { SimPool } from './universe.ts';

/**
 * A pool's trading activity over the windows the API reports (m5 … h24, ending now): buys,
 * sells, distinct buyers and sellers, exact USD volume. One backward pass from now over the
 * hours' summaries: whole hours are added at once, only hours holding a window boundary are
 * read trade by trade (from the summary's compact per-trade arrays).
 */
export const WINDOWS = { m5: 300_000, m15: 900_000, m30: 1_800_000, h1: 3_600_000, h6: 21_600_000, h24: 86_400_000 } as const;
export type WindowKey = keyof typeof WINDOWS;
export const WINDOW_KEYS = Object.keys(WINDOWS) as WindowKey[];

export interface WindowActivity {
  buys: number;
  sells: number;
  buyers: number;
  sellers: number;
  /** Exact USD volume as an integer at the pool's volume scale. */
  volume: bigint;
}

class Totals {
  buys = 0;
  sells = 0;
  volume = 0n;
  readonly buyers = new Set<number>();
  readonly sellers = new Set<number>();

  addTrade(walletKind: number, volume: bigint): void {
    const wallet = walletKind >> 1;
    if (walletKind & 1) {
      this.buys += 1;
      this.buyers.add(wallet);
    } else {
      this.sells += 1;
      this.sellers.add(wallet);
    }
    this.volume += volume;
  }

  result(): WindowActivity {
    return { buys: this.buys, sells: this.sells, buyers: this.buyers.size, sellers: this.sellers.size, volume: this.volume };
  }
}

export function windowActivity(source: TradeSource, pool: SimPool, now: number): Record<WindowKey, WindowActivity> {
  const out = {} as Record<WindowKey, WindowActivity>;
  const totals = new Totals();
  let k = 0;
  // A trade belongs to window K when now - K < atMs <= now.
  const lowest = (): number => now - WINDOWS[WINDOW_KEYS[k] as WindowKey] + 1;
  const oldest = Math.max(now - WINDOWS.h24 + 1, pool.createdAt);
  for (let w = Math.floor(now / TRADE_WINDOW_MS); w >= Math.floor(oldest / TRADE_WINDOW_MS) && k < WINDOW_KEYS.length; w--) {
    const start = w * TRADE_WINDOW_MS;
    const summary = source.summary(pool, w);
    while (k < WINDOW_KEYS.length && start + TRADE_WINDOW_MS - 1 < lowest()) out[WINDOW_KEYS[k++] as WindowKey] = totals.result();
    if (k >= WINDOW_KEYS.length) break;
    if (start >= lowest() && start + TRADE_WINDOW_MS <= now + 1) {
      totals.buys += summary.buys;
      totals.sells += summary.sells;
      totals.volume += summary.volumeUsd;
      for (const wallet of summary.buyers) totals.buyers.add(wallet);
      for (const wallet of summary.sellers) totals.sellers.add(wallet);
      continue;
    }
    for (let i = summary.atMs.length - 1; i >= 0 && k < WINDOW_KEYS.length; i--) {
      const atMs = summary.atMs[i] as number;
      if (atMs > now) continue;
      while (k < WINDOW_KEYS.length && atMs < lowest()) out[WINDOW_KEYS[k++] as WindowKey] = totals.result();
      if (k < WINDOW_KEYS.length) totals.addTrade(summary.walletKind[i] as number, summary.volumes[i] as bigint);
    }
  }
  while (k < WINDOW_KEYS.length) out[WINDOW_KEYS[k++] as WindowKey] = totals.result();
  return out;
}
