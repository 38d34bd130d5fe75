/**
 * slot_claims gains a row per run and nothing reads the old ones, so every process prunes it: a
 * minute after start (start-up is busy) and every few hours after. Whichever process comes first
 * deletes; the others find nothing, which costs one short scan. The deletes go in small batches,
 * each its own short transaction, so other writes take turns in between.
 */
import type { Clock } from '../lib/clock.ts';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import type { Store } from '../store/index.ts';
import { toSeconds } from './store-records.ts';

/** Claims of slots older than this are deleted (a run, its retries and takeovers end long before). */
export const CLAIM_RETENTION_MS = 2 * 24 * 3600_000;
export const CLAIM_PRUNE_EVERY_MS = 6 * 3600_000;
const FIRST_PRUNE_AFTER_MS = 60_000;
const BATCH = 1000;

/** Deletes claims of slots that started before `before` (epoch ms), batch by batch; returns how many. */
export async function pruneSlotClaims(store: Store, before: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const batch = await store.write((tx) => tx.slotClaims.prune(toSeconds(before), BATCH), { label: 'prune slot claims' });
    deleted += batch;
    if (batch < BATCH) return deleted;
  }
}

/** Prunes on schedule until `signal` aborts; a prune that fails is logged and tried at the next time. */
export async function pruneSlotClaimsPeriodically(options: { store: Store; clock: Clock; logger: Logger; signal: AbortSignal }): Promise<void> {
  const { store, clock, logger, signal } = options;
  let delay = FIRST_PRUNE_AFTER_MS;
  while (!signal.aborted) {
    try {
      await clock.sleep(delay, signal);
    } catch {
      return;
    }
    delay = CLAIM_PRUNE_EVERY_MS;
    try {
      const deleted = await pruneSlotClaims(store, clock.now() - CLAIM_RETENTION_MS);
      if (deleted > 0) logger.info({ deleted }, 'pruned old slot claims');
    } catch (err) {
      logger.warn({ err: errorMessage(err) }, 'could not prune old slot claims; trying again later');
    }
  }
}
