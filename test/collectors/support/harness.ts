/**
 * Real parts for collector tests and benchmarks: the simulator over HTTP on loopback, a migrated
 * store (a SQLite file, or PostgreSQL), one API client with its rate limiter, all on one
 * ManualClock driven by a ClockDriver.
 */
import { join } from 'node:path';
import { ApiClient, RateLimiter } from '../../../src/api/index.ts';
import type { CollectorDeps } from '../../../src/collectors/deps.ts';
import type { CollectorInstance, RunSummary } from '../../../src/collectors/types.ts';
import { validateConfig, type ConfigInput, type GtcConfig } from '../../../src/config/index.ts';
import { ManualClock } from '../../../src/lib/clock.ts';
import { createLogger, type Logger } from '../../../src/lib/log.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../../src/sim/index.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import { ClockDriver } from './clock-driver.ts';
import { runInstance } from './loops.ts';
import { startRewritingProxy, type RewritingProxy } from './rewriting-proxy.ts';

export const START = Date.UTC(2025, 5, 2, 0, 0, 0);

export interface Harness {
  clock: ManualClock;
  driver: ClockDriver;
  sim: Simulator;
  store: Store;
  api: ApiClient;
  config: GtcConfig;
  deps: CollectorDeps;
  logger: Logger;
  /** Between the API client and the simulator when `proxy` was asked for. */
  proxy?: RewritingProxy;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Database URL (default: a SQLite file in `dir`). */
  url?: string;
  dir: string;
  sim?: Omit<SimulatorOptions, 'clock'>;
  /** Configuration overrides (networks default to the simulator's). */
  config?: ConfigInput;
  start?: number;
  /** Put a rewriting proxy between the API client and the simulator. */
  proxy?: boolean;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const clock = new ManualClock(options.start ?? START);
  const driver = new ClockDriver(clock);
  if (options.url?.startsWith('postgres')) driver.trackPostgres();
  const sim = await startSimulator({ seed: 'collectors', poolsPerNetwork: 100, ...options.sim, clock });
  const proxy = options.proxy ? await startRewritingProxy(sim.url) : undefined;
  const baseUrl = proxy?.url ?? sim.url;
  const config = validateConfig({ networks: options.sim?.networks ?? ['solana'], ...options.config, api: { baseUrl, timeoutMs: 600_000, ...options.config?.api } });
  const store = await openStore({ url: options.url ?? `sqlite:${join(options.dir, 'gtc.sqlite')}`, clock });
  const limiter = new RateLimiter({ clock, requestsPerMinute: config.api.requestsPerMinute, dailyLimit: 1_000_000, ...driver.limiterHooks() });
  const api = new ApiClient({ baseUrl, clock, limiter, timeoutMs: config.api.timeoutMs, hooks: driver.apiHooks() });
  const logger = createLogger({ level: process.env.GTC_TEST_LOG ?? 'silent' });
  const deps: CollectorDeps = { api, store, config, clock, instanceId: 'test:1' };
  return {
    clock, driver, sim, store, api, config, deps, logger,
    ...(proxy ? { proxy } : {}),
    async close() {
      await store.close();
      await proxy?.close();
      await sim.close();
    },
  };
}

/** One run of an instance with its collection_runs row, the clock driven until it ends. */
export function runOnce(h: Harness, instance: CollectorInstance, signal?: AbortSignal): Promise<RunSummary & { runId: number }> {
  return h.driver.drive(runInstance({ ...h.deps, logger: h.logger }, instance, signal));
}

/** The first `count` pools of the simulator's market (existing now), as manual watchlist rows. */
export async function watchPools(h: Harness, count: number, filter: (tradesPerDay: number) => boolean = () => true): Promise<string[]> {
  const now = Math.floor(h.clock.now() / 1000);
  const pools = h.sim.market.truth.pools().filter((p) => p.createdAt <= h.clock.now() && filter(p.tradesPerDay)).slice(0, count);
  await h.store.write((tx) => tx.watchlist.upsert(pools.map((p) => ({ poolId: p.id, active: true, source: 'manual' as const, score: null, addedAt: now, updatedAt: now, symbol: null, name: null, note: null, belowSince: null }))));
  return pools.map((p) => p.id);
}
