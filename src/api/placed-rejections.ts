/**
 * Where a rejected list item lies in time, so the collector can fetch its span again or record it
 * as a gap: its own timestamp when that part of it is readable, else between the valid items
 * listed around it. OHLCV rows and trades are both listed newest first.
 */
import type { Rejection } from './validate.ts';

export interface PlacedRejection extends Rejection {
  /** The item's own timestamp (epoch seconds), when readable. */
  ts?: number;
  /** Timestamp of the nearest valid item listed after it (older); absent when there is none. */
  olderTs?: number;
  /** Timestamp of the nearest valid item listed before it (newer); absent when there is none. */
  newerTs?: number;
}

/**
 * Places each rejection among `listed`: the timestamp of every item in list order, null for the
 * rejected ones. `readableTs` reads a rejected item's own timestamp when it can.
 */
export function placeRejections(rejected: readonly Rejection[], listed: readonly (number | null)[], readableTs: (index: number) => number | undefined): PlacedRejection[] {
  return rejected.map((rejection) => {
    const placed: PlacedRejection = { ...rejection };
    const ts = readableTs(rejection.index);
    if (ts !== undefined) placed.ts = ts;
    const newerTs = listed.slice(0, rejection.index).findLast((t) => t !== null);
    const olderTs = listed.slice(rejection.index + 1).find((t) => t !== null);
    if (typeof newerTs === 'number') placed.newerTs = newerTs;
    if (typeof olderTs === 'number') placed.olderTs = olderTs;
    return placed;
  });
}
