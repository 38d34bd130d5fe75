/**
 * Per-pool work units (a pool's trades poll, a pool × timeframe OHLCV fetch, a watchlist batch)
 * are claimed in `slot_claims` before any API call, so several processes on one SQLite file or
 * several machines on one PostgreSQL never collect the same unit twice. A unit's slot is the
 * time it became due (it only grows), so every poll is a new slot; the claim is marked finished
 * in the transaction of the unit's last page, and a crashed claimant's claim expires.
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
