/**
 * Per-pool work units (a pool's trades poll, a pool × timeframe OHLCV fetch, a watchlist batch)
 * are claimed in `slot_claims` before any API call, so several processes on one SQLite file or
 * several machines on one PostgreSQL never collect the same unit twice. A unit's slot is the
 * time it became due (it only grows), so every poll is a new slot; the claim is marked finished
 * in the transaction of the unit's last page, released when the unit fails (so a retry seconds
 * later can take it again), and a crashed claimant's claim expires.
 */
import type { WriteTx } from '../store/index.ts';
import { nowSeconds, type CollectorDeps } from './deps.ts';

export interface WorkUnit {
  /** `slot_claims.collector`, e.g. `trades:solana_7bqJ…` or `ohlcv:solana_7bqJ…:5m`. */
  key: string;
  /** Epoch seconds at which this unit became due. */
  slot: number;
}

/** True when this instance won the unit (or took over an expired claim). */
export function claimUnit(deps: Pick<CollectorDeps, 'store' | 'clock' | 'config' | 'instanceId'>, unit: WorkUnit): Promise<boolean> {
  const now = nowSeconds(deps);
  const expiresAt = now + Math.ceil(deps.config.recovery.claimTimeout / 1000);
  return deps.store.write((tx) => tx.slotClaims.claim({ collector: unit.key, slotStart: unit.slot, instanceId: deps.instanceId, now, expiresAt }), { label: `claim ${unit.key}` });
}

/** Marks the unit done, inside the transaction of its last page. */
export async function finishUnit(tx: WriteTx, deps: Pick<CollectorDeps, 'instanceId'>, unit: WorkUnit, at: number): Promise<void> {
  await tx.slotClaims.finish(unit.key, unit.slot, deps.instanceId, at);
}

/**
 * Runs a claimed unit; if it fails, gives the claim up (unfinished) so the retry — here or on
 * another instance — can take the unit at once. If the database is what failed, the release may
 * fail too: then the claim simply expires.
 */
export async function withClaim<T>(deps: Pick<CollectorDeps, 'store' | 'clock' | 'instanceId'>, unit: WorkUnit, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await deps.store
      .write((tx) => tx.slotClaims.release(unit.key, unit.slot, deps.instanceId, nowSeconds(deps)), { label: `release ${unit.key}` })
      .catch(() => undefined);
    throw error;
  }
}
