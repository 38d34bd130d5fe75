/**
 * Shared parts of the runtime tests: a real SQLite store in a temp dir, a ManualClock driver,
 * and small collectors defined here (not in src) that write through the store like real ones.
 */
import { join } from 'node:path';
import type { CollectorInstance, RunContext, RunSummary } from '../../src/collectors/types.ts';
import { configSchema, type GtcConfig } from '../../src/config/index.ts';
import type { ManualClock } from '../../src/lib/clock.ts';
import { createLogger, type Logger } from '../../src/lib/log.ts';
import { createDaemon, type Daemon, type DaemonOptions } from '../../src/runtime/daemon.ts';
import type { RunFinishedEvent, TransitionEvent } from '../../src/runtime/events.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { tempDir } from '../support/temp-dir.ts';

export type Recovery = GtcConfig['recovery'];

export function recoveryConfig(overrides: Partial<Record<keyof Recovery, unknown>> = {}): Recovery {
  return configSchema.parse({ recovery: overrides }).recovery;
}

export function testLogger(): Logger {
  return createLogger({ level: process.env.GTC_TEST_LOG ?? 'silent' });
}

export async function openSqliteStore(t: { after(fn: () => void | Promise<void>): void }, file = 'gtc.sqlite'): Promise<{ store: Store; path: string }> {
  const path = join(tempDir(t), file);
  const store = await openStore({ url: `sqlite:${path}`, checkpointEveryMs: 0 });
  t.after(() => store.close());
  return { store, path };
}

/** Lets pending I/O callbacks and promise chains run. */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Moves the manual clock forward `ms` in steps, letting the daemon's database work finish between steps. */
export async function drive(clock: ManualClock, ms: number, stepMs = 100): Promise<void> {
  const end = clock.now() + ms;
  while (clock.now() < end) {
    await clock.advance(Math.min(stepMs, end - clock.now()));
    await settle();
  }
}

export interface RunLog {
  runId: number;
  start: number;
  end?: number;
  outcome?: 'ok' | 'failed';
}

/** What the next run does: resolve with a row count, or throw. */
export type Behaviour = (ctx: RunContext, run: number) => Promise<number> | number;

/**
 * A collector that behaves as told, then writes one checkpoint row and its count through the
 * store in one transaction — the shape of a real collector's page write.
 */
export function scriptedCollector(store: Store, name: string, options: { intervalMs?: number; dependsOn?: 'api' | 'database'; behaviour?: Behaviour } = {}): CollectorInstance & { runs: RunLog[]; active: number; maxActive: number } {
  const instance = {
    name,
    collector: 'dexes' as const,
    intervalMs: options.intervalMs ?? 60_000,
    dependsOn: options.dependsOn ?? 'api',
    runs: [] as RunLog[],
    active: 0,
    maxActive: 0,
    async run(ctx: RunContext): Promise<RunSummary> {
      const log: RunLog = { runId: ctx.runId, start: ctx.clock.now() };
      instance.runs.push(log);
      instance.active += 1;
      instance.maxActive = Math.max(instance.maxActive, instance.active);
      try {
        const rows = options.behaviour ? await options.behaviour(ctx, instance.runs.length) : 1;
        await store.write(async (tx) => {
          await tx.checkpoints.set(name, 'last-run', String(ctx.runId), Math.floor(ctx.clock.now() / 1000));
          await tx.runs.addCounts(ctx.runId, rows);
        });
        log.outcome = 'ok';
        return { rowsWritten: rows, rejected: 0, rejections: [], pages: 1, apiCalls: 1 };
      } catch (error) {
        log.outcome = 'failed';
        throw error;
      } finally {
        log.end = ctx.clock.now();
        instance.active -= 1;
      }
    },
  };
  return instance;
}

export interface Recorded {
  transitions: TransitionEvent[];
  runs: RunFinishedEvent[];
}

/** A daemon over the given instances with every event recorded. */
export function recordedDaemon(options: Omit<DaemonOptions, 'logger'> & { logger?: Logger }): { daemon: Daemon } & Recorded {
  const daemon = createDaemon({ logger: testLogger(), jitterMaxMs: 0, ...options });
  const transitions: TransitionEvent[] = [];
  const runs: RunFinishedEvent[] = [];
  daemon.events.onTransition((e) => transitions.push(e));
  daemon.events.onRunFinished((e) => runs.push(e));
  return { daemon, transitions, runs };
}

/** A probe whose answer the test sets, counting calls. */
export function switchableProbe(initial = true): { probe: () => Promise<void>; calls: number[]; ok: boolean; clock?: ManualClock } {
  const state = {
    ok: initial,
    calls: [] as number[],
    clock: undefined as ManualClock | undefined,
    probe: async (): Promise<void> => {
      state.calls.push(state.clock?.now() ?? Date.now());
      if (!state.ok) throw new Error('dependency still down');
    },
  };
  return state;
}
