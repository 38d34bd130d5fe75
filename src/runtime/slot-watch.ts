/**
 * Slots another process claimed but has not finished, remembered so that if the holder dies
 * (its claim expires unfinished) this process takes the slot over instead of losing it.
 */
const MAX_WATCHED = 32;

export class SlotWatch {
  /** slot → the earliest time a takeover can succeed */
  private readonly slots = new Map<number, number>();

  add(slot: number, claim: { finished: boolean; retakeAt: number }, now: number): void {
    if (claim.finished) return;
    this.slots.set(slot, Math.max(claim.retakeAt, now + 1));
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
