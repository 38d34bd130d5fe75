/**
 * Slots another process claimed but has not finished, remembered so that if the holder dies
 * (its claim expires unfinished) or its run fails (the claim is released for any process to run
 * it again) this process takes the slot over instead of losing it. A release is not announced, so
 * a watched slot is tried again every `recheckMs` until its claim's expiry, not only at it: a slot
 * whose holder failed and moved on to its next slot would otherwise wait out a whole lease.
 */
const MAX_WATCHED = 32;

export class SlotWatch {
  /** slot → when to try taking it over: its claim's expiry, or the next recheck if sooner */
  private readonly slots = new Map<number, number>();

  constructor(private readonly recheckMs: number) {}

  add(slot: number, claim: { finishedAt?: number; retakeAt: number }, now: number): void {
    if (claim.finishedAt !== undefined) return;
    this.slots.set(slot, Math.max(Math.min(claim.retakeAt, now + this.recheckMs), now + 1));
    // Bounded: the oldest slots go first (a holder alive that long keeps renewing anyway).
    while (this.slots.size > MAX_WATCHED) this.slots.delete(Math.min(...this.slots.keys()));
  }

  /** The slot due soonest for a takeover attempt. */
  earliest(): { slot: number; at: number } | undefined {
    let best: { slot: number; at: number } | undefined;
    for (const [slot, at] of this.slots) if (!best || at < best.at) best = { slot, at };
    return best;
  }

  delete(slot: number): void {
    this.slots.delete(slot);
  }
}
