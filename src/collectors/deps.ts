import type { ApiClient } from '../api/index.ts';
import type { GtcConfig } from '../config/schema.ts';
import type { Clock } from '../lib/clock.ts';
import type { Store } from '../store/index.ts';

/**
 * What every collector is built from. Collectors get their dependencies here and nothing else:
 * no retries, schedules or health (the API client and the store bring their own policies, the
 * runtime schedules and supervises).
 */
export interface CollectorDeps {
  api: ApiClient;
  store: Store;
  config: GtcConfig;
  clock: Clock;
  /** Who claims per-pool work units in `slot_claims` (host and process), e.g. "vps-1:4242". */
  instanceId: string;
}

/** Epoch seconds (the store's unit) of an epoch-milliseconds clock reading. */
export function toSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** The current time of the deps' clock in epoch seconds. */
export function nowSeconds(deps: Pick<CollectorDeps, 'clock'>): number {
  return toSeconds(deps.clock.now());
}
