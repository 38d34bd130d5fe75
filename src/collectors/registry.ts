/**
 * Builds the collector instances the configuration asks for: `dexes:<network>`,
 * `top-pools:<network>` (the network's list and each configured DEX), `new-pools:<network>` (and
 * `new-pools:all` with `allNetworks`), `watchlist`, `ohlcv`, `trades`, `discovery`. Disabled
 * collectors are left out. `gtc collect` narrows the set with a selection.
 */
import type { Timeframe } from '../api/index.ts';
import type { CollectorName } from '../config/schema.ts';
import type { CollectorDeps } from './deps.ts';
import { createDexesCollector } from './dexes.ts';
import { createDiscoveryCollector } from './discovery.ts';
import { createNewPoolsCollector } from './new-pools.ts';
import { createOhlcvCollector } from './ohlcv.ts';
import { createTopPoolsCollector } from './top-pools.ts';
import { createTradesCollector } from './trades.ts';
import type { CollectorInstance } from './types.ts';
import { createWatchlistCollector } from './watchlist.ts';

export const COLLECTOR_NAMES: readonly CollectorName[] = ['dexes', 'top-pools', 'new-pools', 'watchlist', 'ohlcv', 'trades', 'discovery'];

export interface CollectorSelection {
  /** Only these collectors (default: every enabled one). Naming one includes it even when disabled. */
  collectors?: readonly CollectorName[];
  /** Only this network (per-network collectors; `all` selects the all-network new-pools list). */
  network?: string;
  /** top-pools: only this DEX list (and not the network's list). */
  dex?: string;
  /** watchlist, ohlcv, trades: only this pool. */
  poolId?: string;
  /** ohlcv: only these timeframes. */
  timeframes?: readonly Timeframe[];
  /** ohlcv, trades: collect every selected unit now instead of only the due ones (one-off runs). */
  force?: boolean;
}

export function buildCollectors(deps: CollectorDeps, selection: CollectorSelection = {}): CollectorInstance[] {
  const { config } = deps;
  const wanted = (name: CollectorName): boolean => (selection.collectors ? selection.collectors.includes(name) : config.collectors[name].enabled);
  const networks = selection.network === undefined ? config.networks : config.networks.filter((n) => n === selection.network);
  if (selection.network !== undefined && selection.network !== 'all' && networks.length === 0) networks.push(selection.network);
  const pool = selection.poolId === undefined ? {} : { poolId: selection.poolId };
  const force = selection.force ? { force: true } : {};
  const instances: CollectorInstance[] = [];
  if (wanted('dexes')) for (const network of networks) instances.push(createDexesCollector(deps, network));
  if (wanted('top-pools')) {
    for (const network of networks) instances.push(createTopPoolsCollector(deps, { network, ...(selection.dex === undefined ? {} : { dexes: [selection.dex], dexOnly: true }) }));
  }
  if (wanted('new-pools')) {
    for (const network of networks) instances.push(createNewPoolsCollector(deps, network));
    const all = selection.network === 'all' || (selection.network === undefined && config.collectors['new-pools'].allNetworks);
    if (all) instances.push(createNewPoolsCollector(deps, null));
  }
  if (wanted('watchlist')) instances.push(createWatchlistCollector(deps, pool));
  if (wanted('ohlcv')) instances.push(createOhlcvCollector(deps, { ...pool, ...force, ...(selection.timeframes ? { timeframes: selection.timeframes } : {}) }));
  if (wanted('trades')) instances.push(createTradesCollector(deps, { ...pool, ...force }));
  if (wanted('discovery')) instances.push(createDiscoveryCollector(deps));
  return instances;
}
