/**
 * The faults a chaos run injects, each switched on and off at a simulated time, and the windows
 * they were actually active (simulated ms), which the analysis judges the runtime against.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, statfsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { Simulator } from '../../src/sim/index.ts';
import type { DaemonCluster } from './cluster.ts';
import type { ThrowawayPostgres } from './postgres.ts';
import type { Timebase } from '../../test/support/timebase.ts';

const run = promisify(execFile);
const LOCK_HOLDER = new URL('./lock-holder.ts', import.meta.url).pathname;

export type FaultKind =
  | 'incident-lock' | 'lock-storm' | 'api-5xx' | 'api-429' | 'api-429-retry-after' | 'api-hang'
  | 'api-malformed' | 'api-drift' | 'kill-9' | 'disk-full' | 'pg-restart' | 'sim-unreachable'
  /** The whole of a lock storm marked `replay`: the incident as it went on (judged as one fault too). */
  | 'incident-replay';

/** One fault of a scenario: when (simulated ms after the scenario start) and for how long. */
export interface FaultStep {
  kind: FaultKind;
  at: number;
  durationMs: number;
  /** lock-storm: locks of this length, one every `everyMs`, for durationMs. */
  holdMs?: number;
  everyMs?: number;
  /** api-malformed / api-drift: share of requests hit. */
  rate?: number;
  /** lock-storm: also report the whole storm as one 'incident-replay' window. */
  replay?: boolean;
}

export interface FaultWindow {
  kind: FaultKind;
  /** Simulated ms: when the fault was in force (from the injector's confirmation). */
  start: number;
  end: number;
  /** Injected outage: slots overlapping it are left out of availability (a kill -9 is not one). */
  outage: boolean;
  /** Which dependency it hits: database or API instances (kill -9: whichever ran in the killed process). */
  hits: 'database' | 'api' | 'process';
  detail: string;
}

/** A separate process that takes the database's write lock on command. */
export class LockHolder {
  private constructor(private readonly child: ChildProcess, private readonly replies: AsyncIterator<string>) {}

  /** `lockTimeoutMs`: real ms one PostgreSQL LOCK TABLE attempt may queue (see lock-holder.ts). */
  static async start(url: string, lockTimeoutMs = 200): Promise<LockHolder> {
    const child = spawn(process.execPath, ['--import', 'tsx', LOCK_HOLDER, url, String(lockTimeoutMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const holder = new LockHolder(child, createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]());
    await holder.expect('ready');
    return holder;
  }

  async lock(): Promise<void> {
    this.child.stdin?.write('lock\n');
    await this.expect('locked');
  }

  async release(): Promise<void> {
    this.child.stdin?.write('release\n');
    await this.expect('released');
  }

  async close(): Promise<void> {
    this.child.stdin?.end();
    if (this.child.exitCode === null) await new Promise((resolve) => this.child.once('close', resolve));
  }

  private async expect(word: string): Promise<void> {
    const next = await this.replies.next();
    if (next.done || next.value !== word) throw new Error(`lock holder: expected "${word}", got ${next.done ? 'end of output' : JSON.stringify(next.value)}`);
  }
}

/** Remounts tried when the daemons' writes keep a shrink from taking (SmallDisk.fill). */
const FILL_ATTEMPTS = 5;

/**
 * A tmpfs for the SQLite file, so the disk can really be filled and emptied again. Filling means
 * shrinking the filesystem to what it already holds (a remount, instant whatever its size): writing
 * gigabytes of filler took tens of real seconds at the soak's size, and stalled the whole machine.
 */
export class SmallDisk {
  private constructor(readonly folder: string, private readonly sizeMb: number) {}

  /** Mounts a tmpfs of `sizeMb` at `folder` (needs root); undefined when that is not allowed. */
  static async mount(folder: string, sizeMb: number): Promise<SmallDisk | undefined> {
    mkdirSync(folder, { recursive: true });
    try {
      await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', folder]);
      return new SmallDisk(folder, sizeMb);
    } catch {
      return undefined;
    }
  }

  /**
   * Leaves no free byte: the filesystem shrinks to its current use. Resolves with that size in bytes.
   * The daemons keep writing meanwhile, and a shrink below what they wrote since it was measured is
   * refused ("bad option": day 3 of two soaks), so it is measured again and retried.
   */
  async fill(): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const stats = statfsSync(this.folder);
      const used = (Number(stats.blocks) - Number(stats.bfree)) * Number(stats.bsize);
      try {
        await run('mount', ['-o', `remount,size=${used}`, this.folder]);
        return used;
      } catch (error) {
        if (attempt >= FILL_ATTEMPTS) throw error;
      }
    }
  }

  async empty(): Promise<void> {
    await run('mount', ['-o', `remount,size=${this.sizeMb}m`, this.folder]);
  }

  async unmount(): Promise<void> {
    await run('umount', ['-l', this.folder]).catch(() => undefined);
  }
}

export interface InjectorDeps {
  timebase: Timebase;
  sim: Simulator;
  cluster: DaemonCluster;
  lockHolder: LockHolder;
  postgres: ThrowawayPostgres | undefined;
  disk: SmallDisk | undefined;
  random: () => number;
  /** Simulated ms a killed daemon stays down before its restart. */
  restartAfterMs: number;
  /** A daemon kill -9 never picks (the profile's long-lived one). */
  sparedFromKills?: number;
}

/** The Retry-After the simulator sends in a 429-retry-after storm. */
const RETRY_AFTER_S = 10;

const API_MODE: Partial<Record<FaultKind, string>> = {
  'api-5xx': '5xx', 'api-429': '429', 'api-429-retry-after': '429-retry-after', 'api-hang': 'hang',
  'api-malformed': 'malformed', 'api-drift': 'drift', 'sim-unreachable': 'unreachable',
};

/** When the last Retry-After the server sent by `off` (its refusals among `requests`) expires, or `off` when later. */
export function retryAfterExpiry(off: number, requests: readonly { status: number; at: number }[], retryAfterMs: number): number {
  let end = off;
  for (const r of requests) if (r.status === 429 && r.at <= off) end = Math.max(end, r.at + retryAfterMs);
  return end;
}

/** Injects one fault at its time and resolves with the window it was in force (or a reason it was skipped). */
export async function inject(step: FaultStep, scenarioStart: number, deps: InjectorDeps): Promise<FaultWindow | FaultWindow[] | { skipped: string; kind: FaultKind }> {
  const { timebase, sim } = deps;
  await timebase.until(scenarioStart + step.at);
  // A fault that starts late (the one before it overran) still lasts its whole duration.
  const endAt = Math.max(scenarioStart + step.at, timebase.now()) + step.durationMs;
  const apiMode = API_MODE[step.kind];
  if (apiMode) {
    const spec = { mode: apiMode, durationMs: step.durationMs + 60_000, ...(step.rate !== undefined ? { rate: step.rate } : {}), ...(apiMode === '429-retry-after' ? { retryAfterS: RETRY_AFTER_S } : {}) };
    sim.faults.set(spec as Parameters<Simulator['faults']['set']>[0]);
    const start = timebase.now();
    await timebase.until(endAt);
    sim.faults.set({ mode: 'none' });
    const off = timebase.now();
    const bad = step.kind === 'api-malformed' || step.kind === 'api-drift';
    const detail = `simulator fault ${apiMode}${step.rate !== undefined ? ` on ${step.rate * 100}% of requests` : ''}${bad ? ' (bad data)' : ''}`;
    if (apiMode !== '429-retry-after') return { kind: step.kind, start, end: off, outage: true, hits: 'api', detail };
    // The server told its callers not to call before the last Retry-After it sent expires: a client
    // that obeys (issue 3) cannot call sooner, so the fault is in force until then.
    const end = retryAfterExpiry(off, sim.stats.snapshot().recent, RETRY_AFTER_S * 1000);
    return { kind: step.kind, start, end, outage: true, hits: 'api', detail: `${detail} (Retry-After ${RETRY_AFTER_S} s; in force until the last one sent expired, ${((end - off) / 1000).toFixed(1)} s after the switch)` };
  }
  switch (step.kind) {
    case 'incident-lock': {
      await deps.lockHolder.lock();
      const start = timebase.now();
      await timebase.until(start + step.durationMs);
      await deps.lockHolder.release();
      return { kind: step.kind, start, end: timebase.now(), outage: true, hits: 'database', detail: `write lock held by another process for ${step.durationMs / 1000} s (simulated)` };
    }
    case 'lock-storm': {
      // Each lock is its own window: detection and recovery are judged per lock.
      const hold = step.holdMs ?? 5_000;
      const every = step.everyMs ?? 20_000;
      const windows: FaultWindow[] = [];
      for (let next = scenarioStart + step.at; next + hold <= endAt; next += every) {
        await timebase.until(next);
        await deps.lockHolder.lock();
        const start = timebase.now();
        await timebase.until(start + hold);
        await deps.lockHolder.release();
        windows.push({ kind: step.kind, start, end: timebase.now(), outage: true, hits: 'database', detail: `write lock of ${hold / 1000} s, one every ${every / 1000} s` });
      }
      const first = windows[0];
      const last = windows.at(-1);
      if (step.replay && first && last) {
        windows.push({ kind: 'incident-replay', start: first.start, end: last.end, outage: true, hits: 'database', detail: `the incident as it went on: ${windows.length} locks of ${hold / 1000} s, one at each ${every / 60_000}-minute slot` });
      }
      return windows;
    }
    case 'kill-9': {
      await timebase.until(timebase.now() + Math.floor(deps.random() * step.durationMs));
      const running = Array.from({ length: deps.cluster.count }, (_, i) => i).filter((i) => i !== deps.sparedFromKills && deps.cluster.isRunning(i));
      const victim = running[Math.floor(deps.random() * running.length)];
      if (victim === undefined) return { skipped: 'no daemon running', kind: step.kind };
      const start = timebase.now();
      const pid = deps.cluster.pid(victim);
      await deps.cluster.kill(victim);
      await timebase.until(start + deps.restartAfterMs);
      deps.cluster.start(victim);
      return { kind: step.kind, start, end: timebase.now(), outage: false, hits: 'process', detail: `daemon ${victim} (pid ${pid}) killed with SIGKILL, restarted ${deps.restartAfterMs / 1000} s later` };
    }
    case 'disk-full': {
      if (!deps.disk) return { skipped: deps.postgres ? 'PostgreSQL run (a full disk is tested on SQLite)' : 'could not mount a small tmpfs (needs root)', kind: step.kind };
      const bytes = await deps.disk.fill();
      const start = timebase.now();
      await timebase.until(start + step.durationMs);
      await deps.disk.empty();
      return { kind: step.kind, start, end: timebase.now(), outage: true, hits: 'database', detail: `the database's filesystem shrunk to what it held (${Math.round(bytes / 1048576)} MiB, no byte free), then grown back` };
    }
    case 'pg-restart': {
      if (!deps.postgres) return { skipped: 'SQLite run (a PostgreSQL restart is tested on PostgreSQL)', kind: step.kind };
      const start = timebase.now();
      await deps.postgres.stop();
      await timebase.until(endAt);
      await deps.postgres.start();
      return { kind: step.kind, start, end: timebase.now(), outage: true, hits: 'database', detail: 'pg_ctl stop -m fast, down, pg_ctl start (throwaway cluster)' };
    }
    default:
      return { skipped: `unknown fault ${step.kind}`, kind: step.kind };
  }
}
