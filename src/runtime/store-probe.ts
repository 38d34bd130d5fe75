import { GtcError } from '../lib/errors.ts';
import type { Store } from '../store/index.ts';
import type { Probe } from './probe.ts';

/** The database probe: SELECT 1 and taking (then releasing) the write lock — no data, no cost. */
export function storeProbe(store: Store): Probe {
  return async () => {
    const result = await store.probe();
    if (result.ok) return;
    const message = result.error ?? 'database probe failed';
    throw new GtcError(/locked|busy/i.test(message) ? 'db-locked' : 'db-down', message);
  };
}
