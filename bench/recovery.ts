/**
 * `npm run bench -- recovery [--interval 5m] [--faults 2m,25m] [--speed 30] [--only db-lock,api-5xx]`
 *
 * Detection time (fault start → `degraded`) and recovery time (fault end → first successful run)
 * of the runtime for four real faults: a database lock (another process holding BEGIN EXCLUSIVE),
 * the database down (PostgreSQL behind a TCP proxy that is cut; needs GTC_BENCH_PG_URL or
 * GTC_TEST_PG_URL), API 5xx, an API hang and a 429 storm without Retry-After (the simulator's
 * faults; after the storm, `limiterRestoredSeconds` is fault end → the limiter back at its
 * configured rate with nobody queued). The daemon runs the real
 * `dexes:solana` collector against the simulator on an accelerated clock. The fault starts 1 s
 * before a scheduled run and lasts 2 minutes (the API outage) or 25 minutes (as long as
 * the incident of 2025-09-15: long enough for the old behaviour to reach its 5 failures).
 *
 * Baseline, in the same run: the old behaviour — retry at the next slot, 5 consecutive failures,
 * then a fixed 1-minute cooldown and a blind restart — run by the same daemon code configured that
 * way (failureThreshold 5, retryBackoff [interval, interval], probeInterval = maxProbeDelay = 60 s,
 * probes that always pass), on a ManualClock, with a collector failing while the same fault window is open
 * and taking as long to fail (and to succeed) as the real runs measured here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiClientOptions, createApiClient } from '../src/api/index.ts';
import { buildCollectors, type CollectorInstance } from '../src/collectors/index.ts';
import { configSchema, formatDuration, parseDuration, type GtcConfig } from '../src/config/index.ts';
import { ManualClock, ScaledClock, type Clock } from '../src/lib/clock.ts';
import { GtcError, type FailureClass } from '../src/lib/errors.ts';
import { createLogger } from '../src/lib/log.ts';
import { createDaemon } from '../src/runtime/daemon.ts';
import type { RunFinishedEvent, TransitionEvent } from '../src/runtime/events.ts';
import { startSimulator, type Simulator } from '../src/sim/index.ts';
import { openStore } from '../src/store/index.ts';
import { postgresBehindProxy, sqliteLockHolder, type SwitchableFault } from '../test/runtime/fault-injection.ts';
import { ratio, report } from './lib/report.ts';

type ScenarioName = 'db-lock' | 'db-down' | 'api-5xx' | 'api-hang' | 'api-429';

interface Options {
  intervalMs: number;
  faultsMs: number[];
  speed: number;
  only: ScenarioName[];
}


interface Measured {
  detectionMs: number | null;
  /** From the end of the first failing run to `degraded`: the supervisor's own reaction time. */
  reactionMs: number | null;
  recoveryMs: number | null;
  suspended: boolean;
  failedRunMs: number;
  okRunMs: number;
  /** Fault end → the rate limiter back at the configured rate with nobody queued (null: not measured or not within the wait). */
  drainedMs?: number | null;
}

const BASELINE = 'old supervisor (retry at next slot, 5 failures, then 60 s cooldown), same interval';
const FAILURE_CLASS: Record<ScenarioName, FailureClass> = { 'db-lock': 'db-locked', 'db-down': 'db-down', 'api-5xx': 'api-down', 'api-hang': 'api-down', 'api-429': 'api-rate-limit' };
const SIM_MODE = { 'api-5xx': '5xx', 'api-hang': 'hang', 'api-429': '429' } as const;
const silent = createLogger({ level: process.env.GTC_BENCH_LOG ?? 'silent' });

export async function run(args: string[]): Promise<void> {
  const options = parseArgs(args);
  const pgUrl = process.env.GTC_BENCH_PG_URL ?? process.env.GTC_TEST_PG_URL;
  for (const faultMs of options.faultsMs) {
    for (const name of options.only) {
      if (name === 'db-down' && !pgUrl) {
        process.stderr.write('recovery: db-down skipped (set GTC_BENCH_PG_URL or GTC_TEST_PG_URL to a PostgreSQL server)\n');
        continue;
      }
      const ours = await measureOurs(name, options, faultMs, pgUrl);
      const old = await measureBaseline(name, options, faultMs, ours);
      const extra = {
        intervalSeconds: options.intervalMs / 1000, faultSeconds: faultMs / 1000, suspended: ours.suspended, baselineSuspended: old.suspended,
        failingRunSeconds: seconds(ours.failedRunMs), reactionSeconds: ours.reactionMs === null ? null : seconds(ours.reactionMs), speed: options.speed,
        ...(ours.drainedMs === undefined ? {} : { limiterRestoredSeconds: ours.drainedMs === null ? null : seconds(ours.drainedMs) }),
      };
      for (const metric of ['detection', 'recovery'] as const) {
        const value = metric === 'detection' ? ours.detectionMs : ours.recoveryMs;
        const baselineValue = metric === 'detection' ? old.detectionMs : old.recoveryMs;
        const label = `${name}.${formatDuration(faultMs)}.${metric}`;
        if (value === null || baselineValue === null) {
          process.stderr.write(`recovery: ${label} not observed (ours ${value}, baseline ${baselineValue})\n`);
          continue;
        }
        report({ bench: 'recovery', metric: label, value: seconds(value), unit: 's', baseline: BASELINE, baselineValue: seconds(baselineValue), ratio: ratio(value, baselineValue), ...extra });
      }
    }
  }
}

/** The runtime as configured by default, against a real fault, on an accelerated clock. */
async function measureOurs(name: ScenarioName, options: Options, faultMs: number, pgUrl: string | undefined): Promise<Measured> {
  const start = alignedStart(options.intervalMs);
  const clock = new ScaledClock(start, options.speed);
  const sim = await startSimulator({ clock, networks: ['solana'], poolsPerNetwork: 40 });
  const fault = await openFault(name, sim, pgUrl);
  // A short busy timeout: SQLite's busy handler blocks the event loop in real time, which an
  // accelerated clock would multiply; the store's retry policy (on the clock) does the waiting.
  // The store's circuit breaker times its half-open delay in real time (cockatiel, Date.now()):
  // scaled here so it is the default 5 s of the accelerated clock.
  const store = await openStore({ url: fault.url, clock, busyTimeoutMs: 20, checkpointEveryMs: 0, breakerHalfOpenAfterMs: 5000 / options.speed });
  const config = benchConfig(sim.url, options.intervalMs, {});
  const api = createApiClient({ ...apiClientOptions(config.api), clock });
  const instances = buildCollectors({ api, store, config, clock, instanceId: 'bench:ours' }, { collectors: ['dexes'] });
  // The probes `gtc start` uses (src/cli/daemon-app.ts).
  const daemon = createDaemon({ config, store, instances, probes: { api: (signal) => api.probe(signal), apiHasSpareBudget: () => api.limiter.hasSpareBudget() }, clock, logger: silent, jitterMaxMs: 0 });
  const seen = observe(daemon);
  try {
    await daemon.start();
    const faultAt = start + 59_000;
    await clock.sleep(faultAt - clock.now());
    await fault.start();
    const faultStart = clock.now();
    await clock.sleep(faultMs);
    await fault.end();
    const faultEnd = clock.now();
    await waitFor(clock, () => seen.runs.some((r) => r.status === 'ok' && r.at >= faultEnd), faultEnd + 3 * options.intervalMs);
    const measured = measure(seen, faultStart, faultEnd);
    if (name !== 'api-429') return measured;
    // After a 429 storm, recovered means back at full pace too: the limiter's rate restored, nobody queued.
    const restored = (): boolean => api.limiter.hasSpareBudget();
    await waitFor(clock, restored, faultEnd + 3 * options.intervalMs);
    return { ...measured, drainedMs: restored() ? clock.now() - faultEnd : null };
  } finally {
    await daemon.stop();
    await store.close();
    await fault.close();
    await sim.close();
  }
}

/** The old behaviour, by the same daemon code, on a ManualClock with the same fault window. */
async function measureBaseline(name: ScenarioName, options: Options, faultMs: number, ours: Measured): Promise<Measured> {
  const start = alignedStart(options.intervalMs);
  const clock = new ManualClock(start);
  const dir = mkdtempSync(join(tmpdir(), 'gtc-bench-recovery-'));
  const store = await openStore({ url: `sqlite:${join(dir, 'baseline.sqlite')}`, checkpointEveryMs: 0 });
  const faultStart = start + 59_000;
  const faultEnd = faultStart + faultMs;
  const failureClass = FAILURE_CLASS[name];
  const collector: CollectorInstance = {
    name: 'dexes:solana', collector: 'dexes', intervalMs: options.intervalMs, dependsOn: failureClass.startsWith('db') ? 'database' : 'api',
    async run(ctx) {
      const at = ctx.clock.now();
      if (at >= faultStart && at < faultEnd) {
        await ctx.clock.sleep(ours.failedRunMs);
        throw new GtcError(failureClass, `${name} (modelled)`);
      }
      await ctx.clock.sleep(ours.okRunMs);
      return { rowsWritten: 1, rejected: 0, rejections: [], pages: 1, apiCalls: 1 };
    },
  };
  const old = { failureThreshold: 5, retryBackoff: [options.intervalMs, options.intervalMs], probeInterval: 60_000, apiProbeInterval: 0 };
  const parsed = benchConfig('http://127.0.0.1:9/api/v2', options.intervalMs, old);
  const config = { ...parsed, recovery: { ...parsed.recovery, maxProbeDelay: 60_000 } }; // a fixed 60 s cooldown
  const passes = async (): Promise<void> => undefined;
  const daemon = createDaemon({ config, store, instances: [collector], probes: { api: passes, database: passes }, clock, logger: silent, jitterMaxMs: 0 });
  const seen = observe(daemon);
  try {
    await daemon.start();
    const until = faultEnd + 8 * options.intervalMs;
    while (clock.now() < until && !seen.runs.some((r) => r.status === 'ok' && r.at >= faultEnd)) {
      await clock.advance(1000);
      for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return measure(seen, faultStart, faultEnd);
  } finally {
    await daemon.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function measure(seen: { transitions: TransitionEvent[]; runs: RunFinishedEvent[] }, faultStart: number, faultEnd: number): Measured {
  const degraded = seen.transitions.find((e) => e.to === 'degraded' && e.at >= faultStart);
  const recovered = seen.runs.find((r) => r.status === 'ok' && r.at >= faultEnd);
  const failed = seen.runs.find((r) => r.status === 'failed' && r.at >= faultStart);
  const ok = seen.runs.find((r) => r.status === 'ok');
  return {
    detectionMs: degraded ? degraded.at - faultStart : null,
    reactionMs: degraded && failed ? degraded.at - failed.at : null,
    recoveryMs: recovered ? recovered.at - faultEnd : null,
    suspended: seen.transitions.some((e) => e.to === 'suspended' && e.at >= faultStart),
    failedRunMs: failed?.durationMs ?? 0,
    okRunMs: ok?.durationMs ?? 0,
  };
}

function observe(daemon: { onTransition(l: (e: TransitionEvent) => void): unknown; onRunFinished(l: (e: RunFinishedEvent) => void): unknown }): { transitions: TransitionEvent[]; runs: RunFinishedEvent[] } {
  const seen = { transitions: [] as TransitionEvent[], runs: [] as RunFinishedEvent[] };
  daemon.onTransition((e) => seen.transitions.push(e));
  daemon.onRunFinished((e) => seen.runs.push(e));
  return seen;
}

async function openFault(name: ScenarioName, sim: Simulator, pgUrl: string | undefined): Promise<SwitchableFault> {
  if (name === 'api-5xx' || name === 'api-hang' || name === 'api-429') {
    const { url, close } = sqliteFile();
    return { url, start: async () => void sim.faults.set({ mode: SIM_MODE[name] }), end: async () => void sim.faults.set({ mode: 'none' }), close: async () => close() };
  }
  if (name === 'db-lock') {
    const { url, path, close } = sqliteFile();
    await (await openStore({ url, checkpointEveryMs: 0 })).close(); // the holder opens an existing file
    const holder = await sqliteLockHolder(url, path);
    return { ...holder, close: async () => {
      await holder.close();
      close();
    } };
  }
  return postgresBehindProxy(pgUrl as string);
}

function sqliteFile(): { url: string; path: string; close: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'gtc-bench-recovery-'));
  const path = join(dir, 'ours.sqlite');
  return { url: `sqlite:${path}`, path, close: () => rmSync(dir, { recursive: true, force: true }) };
}

function benchConfig(baseUrl: string, intervalMs: number, recovery: Record<string, unknown>): GtcConfig {
  return configSchema.parse({ api: { baseUrl, budgetKey: 'bench' }, networks: ['solana'], collectors: { dexes: { interval: intervalMs } }, recovery });
}

/** A start 60 s before a slot boundary: the first run happens at once, the next one a minute later. */
function alignedStart(intervalMs: number): number {
  const base = Date.UTC(2025, 8, 15, 6, 0, 0);
  return Math.ceil(base / intervalMs) * intervalMs + intervalMs - 60_000;
}

async function waitFor(clock: Clock, done: () => boolean, until: number): Promise<void> {
  while (!done() && clock.now() < until) await clock.sleep(500);
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

function parseArgs(args: string[]): Options {
  const value = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const duration = (name: string, fallback: string): number => {
    const ms = parseDuration(value(name) ?? fallback);
    if (ms === undefined) throw new Error(`--${name}: expected a duration such as 30s, 5m`);
    return ms;
  };
  const all: ScenarioName[] = ['db-lock', 'db-down', 'api-5xx', 'api-hang', 'api-429'];
  const only = (value('only')?.split(',') ?? all) as ScenarioName[];
  for (const n of only) if (!all.includes(n)) throw new Error(`--only: unknown scenario "${n}"; known: ${all.join(', ')}`);
  const faultsMs = (value('faults') ?? '2m,25m').split(',').map((text) => {
    const ms = parseDuration(text);
    if (ms === undefined) throw new Error(`--faults: expected durations such as 2m,25m; got "${text}"`);
    return ms;
  });
  return { intervalMs: duration('interval', '5m'), faultsMs, speed: Number(value('speed') ?? 30), only };
}
