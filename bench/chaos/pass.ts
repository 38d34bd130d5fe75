/**
 * One chaos pass: a simulator, a fresh database, three `gtc start` processes (as gtc, or as the
 * baseline), the profile's faults at their simulated times, soak samples along the way, then a
 * clean stop and the analysis against the simulator's truth.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { startSimulator } from '../../src/sim/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { analyse, type PassResult } from './analysis.ts';
import { DaemonCluster, type DaemonEvent } from './cluster.ts';
import { daemonConfig, writeDaemonConfig, type Mode } from './daemon-config.ts';
import { inject, LockHolder, SmallDisk, type FaultWindow, type InjectorDeps } from './faults.ts';
import type { ThrowawayPostgres } from './postgres.ts';
import type { Profile } from './profiles.ts';
import { Timebase } from '../../test/support/timebase.ts';

/** 2025-09-15 06:00 UTC: the incident's morning. */
const SIM_START = Date.UTC(2025, 8, 15, 6, 0, 0);
const DAEMONS = 3;
const DATA_TABLES = ['pools', 'pool_snapshots', 'tokens', 'ohlcv', 'trades'] as const;

export interface SoakSample {
  /** Simulated ms since the pass started. */
  elapsedMs: number;
  dbBytes: number;
  walBytes: number;
  dataRows: number;
}

export interface PassOutput {
  result: PassResult;
  windows: FaultWindow[];
  skipped: string[];
  rss: DaemonCluster['rss'];
  heap: DaemonCluster['heap'];
  soak: SoakSample[];
  daemonErrors: { count: number; first: string[] };
  /** Runs and state changes the daemons logged (what detection and recovery are computed from). */
  eventCounts: { runsOk: number; runsFailed: number; transitions: number; pagesStored: number };
  events: DaemonEvent[];
  timebase: { simStart: number; realStart: number; speed: number };
  /** Requests the simulator answered during the pass, and per simulated minute (the budget is 30). */
  apiRequests: { total: number; perMinute: number };
  /** The simulator's most recent requests (its last 2000): [simulated ms, status, route], for a look behind the recovery times. */
  apiRequestLog: [number, number, string][];
  realSeconds: number;
  simulatedMs: number;
}

export interface PassOptions {
  mode: Mode;
  profile: Profile;
  dialect: 'sqlite' | 'postgres';
  postgres: ThrowawayPostgres | undefined;
  workDir: string;
  seed: string;
  progress: (line: string) => void;
  /** key.path=value changes to the daemons' configuration (values parsed as JSON when they are JSON). */
  overrides: readonly [string, string][];
  /** A built bin/gtc.js to run the daemons with (default: src/cli/main.ts through tsx). */
  gtcBin?: string;
}

export async function runPass(options: PassOptions): Promise<PassOutput> {
  const { mode, profile } = options;
  const realStarted = Date.now();
  const dir = join(options.workDir, mode);
  mkdirSync(dir, { recursive: true });
  const disk = options.dialect === 'sqlite' ? await SmallDisk.mount(join(dir, 'disk'), profile.diskMb) : undefined;
  const dbFile = join(disk?.folder ?? dir, 'gtc.sqlite');
  const url = options.dialect === 'sqlite' ? `sqlite:${dbFile}` : await (options.postgres as ThrowawayPostgres).createDatabase(`gtc_chaos_${mode}`);

  const timebase = new Timebase(SIM_START, profile.speed, Date.now() + 200);
  const sim = await startSimulator({ seed: options.seed, clock: timebase.clock, requestsPerMinute: 30, poolsPerNetwork: profile.marketPools });
  let store: Store | undefined;
  let cluster: DaemonCluster | undefined;
  let lockHolder: LockHolder | undefined;
  try {
    store = await openStore({ url, clock: timebase.clock, checkpointEveryMs: 0 });
    const pools = sim.market.truth.pools().map((p) => p.id).sort().slice(0, profile.watchedPools);
    const addedAtS = Math.floor(SIM_START / 1000);
    await store.write((tx) => tx.watchlist.upsert(pools.map((poolId) => ({
      poolId, active: true, source: 'manual' as const, score: null, addedAt: addedAtS, updatedAt: addedAtS, symbol: null, name: null, note: 'chaos', belowSince: null,
    }))));

    const configFile = join(dir, 'gtc.config.json');
    writeDaemonConfig(configFile, withOverrides(daemonConfig(mode, url, sim.url, { speed: profile.speed, intervals: profile.intervals, ...(profile.apiTimeoutMs ? { apiTimeoutMs: profile.apiTimeoutMs } : {}) }), options.overrides));
    const events: DaemonEvent[] = [];
    const pages = new Map<string, number[]>();
    const onPage = (instance: string, at: number): void => {
      const times = pages.get(instance);
      if (times) times.push(at);
      else pages.set(instance, [at]);
    };
    cluster = new DaemonCluster({ count: DAEMONS, configFile, logDir: dir, timebase, emulateReplacedSystem: mode === 'baseline', ...(options.gtcBin ? { gtcBin: options.gtcBin } : {}), onEvent: (e) => events.push(e), onPage });
    // One LOCK TABLE attempt may stall PostgreSQL writers for about 1 simulated second at most.
    lockHolder = await LockHolder.start(url, Math.max(1, 1000 / profile.speed));
    // Fault times count from SIM_START (a slot boundary); the daemons start just before it.
    const start = SIM_START;
    const requestsBefore = sim.stats.snapshot().total;
    cluster.startAll();
    options.progress(`${mode}: ${DAEMONS} daemons started on ${options.dialect}, ${pools.length} watched pools, ×${profile.speed}`);

    const deps: InjectorDeps = { timebase, sim, cluster, lockHolder, postgres: options.postgres, disk, random: seededRandom(options.seed), restartAfterMs: profile.restartAfterMs, sparedFromKills: profile.sparedFromKills };
    const windows: FaultWindow[] = [];
    const skipped: string[] = [];
    const soak: SoakSample[] = [];
    const end = start + profile.durationMs;
    const faultsDone = (async () => {
      for (const step of profile.faults) {
        if (step.at >= profile.durationMs) break;
        const outcome = await inject(step, start, deps).catch((error: unknown) => ({ skipped: `the injector failed: ${String(error)}`, kind: step.kind }));
        if ('skipped' in outcome) {
          if (!skipped.some((s) => s.startsWith(outcome.kind))) skipped.push(`${outcome.kind}: ${outcome.skipped}`);
        } else {
          for (const window of Array.isArray(outcome) ? outcome : [outcome]) {
            windows.push(window);
            options.progress(`${mode}: ${window.kind} ${fmtSim(window.start - start)}–${fmtSim(window.end - start)} (${window.detail})`);
          }
        }
      }
    })();
    for (let next = start + profile.sampleEveryMs; next <= end; next += profile.sampleEveryMs) {
      await timebase.until(next);
      const sample = await soakSample(store, dbFile, next - start).catch(() => undefined);
      if (sample) soak.push(sample);
    }
    await timebase.until(end);
    await faultsDone;
    await cluster.stopAll();
    const requests = sim.stats.snapshot().total - requestsBefore;
    options.progress(`${mode}: stopped at ${fmtSim(timebase.now() - start)} simulated (${Math.round((Date.now() - realStarted) / 1000)} s real); checking the database against the simulator's truth`);

    const result = await analyse({ mode, store, truth: sim.market.truth, pools, addedAtS, backfillDays: 1, events, pages, windows, intervals: profile.intervals, measuredFrom: start + profile.warmupMs, end });
    const finalSample = await soakSample(store, dbFile, profile.durationMs).catch(() => undefined);
    if (finalSample) soak.push(finalSample);
    return {
      result, windows, skipped, rss: cluster.rss, heap: cluster.heap, soak, daemonErrors: { count: cluster.errorCount, first: cluster.errors },
      events,
      timebase: { simStart: timebase.simStart, realStart: timebase.realStart, speed: timebase.speed },
      apiRequests: { total: requests, perMinute: Math.round((requests / (profile.durationMs / 60_000)) * 10) / 10 },
      apiRequestLog: sim.stats.snapshot().recent.map((r) => [r.at, r.status, r.route]),
      eventCounts: {
        runsOk: events.filter((e) => e.kind === 'run' && e.ok).length,
        runsFailed: events.filter((e) => e.kind === 'run' && !e.ok).length,
        transitions: events.filter((e) => e.kind === 'transition').length,
        pagesStored: [...pages.values()].reduce((sum, times) => sum + times.length, 0),
      },
      realSeconds: (Date.now() - realStarted) / 1000, simulatedMs: profile.durationMs,
    };
  } finally {
    await cluster?.stopAll();
    await lockHolder?.close();
    await store?.close();
    await sim.close();
    await disk?.unmount();
  }
}

function withOverrides<T extends object>(config: T, overrides: readonly [string, string][]): T {
  for (const [path, text] of overrides) {
    const keys = path.split('.');
    let target = config as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // A plain string such as "5s".
    }
    target[keys.at(-1) as string] = value;
  }
  return config;
}

/** A small seeded generator (kill -9 moments and victims repeat with the seed). */
function seededRandom(seed: string): () => number {
  let state = [...seed].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 0x01000193), 0x811c9dc5);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function soakSample(store: Store, dbFile: string, elapsedMs: number): Promise<SoakSample> {
  let dataRows = 0;
  for (const table of DATA_TABLES) {
    const row = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(store.db);
    dataRows += Number(row.rows[0]?.n ?? 0);
  }
  if (store.dialect === 'postgres') {
    const size = await sql<{ n: number | string }>`select pg_database_size(current_database()) as n`.execute(store.db);
    return { elapsedMs, dbBytes: Number(size.rows[0]?.n ?? 0), walBytes: 0, dataRows };
  }
  const sizeOf = (file: string): number => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  return { elapsedMs, dbBytes: sizeOf(dbFile), walBytes: sizeOf(`${dbFile}-wal`), dataRows };
}

export function fmtSim(ms: number): string {
  const total = Math.round(ms / 1000);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${d > 0 ? `${d}d` : ''}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}
