/**
 * The stage of an end-to-end runtime test: the simulator in this process and `gtc start`
 * children on one accelerated time, a fresh SQLite database with a few watched pools, and the
 * daemon configuration file. Everything is torn down after the test (daemons killed if needed).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigInput } from '../../../src/config/index.ts';
import { startSimulator, type Simulator } from '../../../src/sim/index.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import { defer } from '../../support/cleanup.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { DaemonProcess } from './daemon-process.ts';
import { Timebase } from '../../support/timebase.ts';

/** The incident's collectors ran every 5 minutes. */
export const INTERVAL_MS = 300_000;
/**
 * A loaded 2-CPU machine may hold any process back this much real time; on the accelerated clock
 * that is SLACK × speed simulated. Timing goals are asserted with it added (and the measured
 * values printed), so a slow machine does not fail a test that a regression would.
 */
export const LOAD_SLACK_REAL_MS = 1000;

/** A simulated-time goal plus the load allowance at `speed`. */
export function withSlack(goalMs: number, speed: number): number {
  return goalMs + LOAD_SLACK_REAL_MS * speed;
}
/** A slot boundary on the incident's morning (2025-09-15 06:50 UTC). */
const BOUNDARY = Date.UTC(2025, 8, 15, 6, 50, 0);

export interface ScenarioOptions {
  speed: number;
  /** Simulated time from the start of the clock to the first slot boundary (the daemons' first runs happen in it). */
  leadMs: number;
  /** Pools put on the watchlist (the trades checked against the truth). */
  watched?: number;
  /** The simulator's (and the daemons') calls per minute. */
  requestsPerMinute?: number;
  /** Changes to the daemon configuration (database.busyTimeout, recovery, ...). */
  config?: (base: ConfigInput) => ConfigInput;
}

export interface Scenario {
  dir: string;
  timebase: Timebase;
  sim: Simulator;
  /** The test's own connection to the daemons' database (reads; the seed write). */
  store: Store;
  dbFile: string;
  dbUrl: string;
  configFile: string;
  /** The watched pools, sorted. */
  pools: string[];
  /** The first slot boundary (simulated epoch ms). */
  boundary: number;
  startDaemon(env?: Record<string, string>): DaemonProcess;
}

type TestContext = { after(fn: () => void | Promise<void>): void };

export function daemonConfig(dbUrl: string, simUrl: string, requestsPerMinute: number): ConfigInput {
  return {
    database: { url: dbUrl },
    api: { baseUrl: simUrl, requestsPerMinute, burst: 1, dailyLimit: 1_000_000, budgetKey: 'e2e' },
    networks: ['solana'],
    collectors: {
      dexes: { interval: '1h' },
      'top-pools': { interval: INTERVAL_MS, dexes: ['raydium'] },
      'new-pools': { interval: INTERVAL_MS },
      watchlist: { interval: INTERVAL_MS },
      ohlcv: { interval: INTERVAL_MS, timeframes: ['1h'], backfillDays: 1 },
      trades: { interval: INTERVAL_MS, minPollInterval: '1m' },
      // The watched set stays the one seeded here, so its trades can be compared with the truth.
      discovery: { enabled: false },
    },
    server: { port: 0 },
    log: { level: 'info' },
  };
}

export async function startScenario(t: TestContext, options: ScenarioOptions): Promise<Scenario> {
  const dir = tempDir(t, 'gtc-e2e-');
  const rpm = options.requestsPerMinute ?? 30;
  const boundary = BOUNDARY;
  const timebase = new Timebase(boundary - options.leadMs, options.speed);
  const sim = await startSimulator({ seed: 'e2e-runtime', clock: timebase.clock, requestsPerMinute: rpm, poolsPerNetwork: 40, recentRequests: 100_000 });
  defer(t, () => sim.close());
  const dbFile = join(dir, 'gtc.sqlite');
  const dbUrl = `sqlite:${dbFile}`;
  const store = await openStore({ url: dbUrl, checkpointEveryMs: 0 });
  defer(t, () => store.close());

  // Pools busy enough to trade between polls, quiet enough that 300 trades never overflow a poll.
  const pools = sim.market.truth.pools().filter((p) => p.tradesPerDay >= 100 && p.tradesPerDay <= 3000).map((p) => p.id).sort().slice(0, options.watched ?? 3);
  const addedAt = Math.floor(timebase.simStart / 1000);
  await store.write((tx) => tx.watchlist.upsert(pools.map((poolId) => ({
    poolId, active: true, source: 'manual' as const, score: null, addedAt, updatedAt: addedAt, symbol: null, name: null, note: 'e2e', belowSince: null,
  }))));

  const base = daemonConfig(dbUrl, sim.url, rpm);
  const configFile = join(dir, 'gtc.config.json');
  writeFileSync(configFile, `${JSON.stringify(options.config ? options.config(base) : base, null, 2)}\n`);
  let count = 0;
  return {
    dir, timebase, sim, store, dbFile, dbUrl, configFile, pools, boundary,
    startDaemon(env = {}) {
      const daemon = new DaemonProcess({ configFile, cwd: dir, timebase, logFile: join(dir, `daemon-${count++}.log`), env });
      defer(t, async () => {
        daemon.kill('SIGKILL');
        await daemon.exited;
      });
      return daemon;
    },
  };
}

/** Most requests the simulator saw in any sliding 60 s of simulated time within [from, to). */
export function maxCallsPerMinute(sim: Simulator, from = -Infinity, to = Infinity): number {
  const times = sim.stats.snapshot().recent.map((r) => r.at).filter((at) => at >= from && at < to).sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[j] as number) <= (times[i] as number) - 60_000) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

/** Every instance's state in collector_state, and the runs still marked running. */
export async function finalState(store: Store): Promise<{ states: Record<string, string>; running: number }> {
  const states = Object.fromEntries((await store.read.collectorState.list()).map((s) => [s.collector, s.state]));
  const running = (await store.db.selectFrom('collection_runs').select('id').where('status', '=', 'running').execute()).length;
  return { states, running };
}

/** Requests the simulator saw in [from, to) (simulated ms). */
export function callsBetween(sim: Simulator, from: number, to: number): number {
  return sim.stats.snapshot().recent.filter((r) => r.at >= from && r.at < to).length;
}
