/**
 * Several real `gtc start` processes on one database, on the accelerated clock the simulator
 * uses (GTC_CLOCK_* hooks). Reads each daemon's JSON log for the runtime's own record of state
 * changes, runs and stored pages (times converted to simulated time), samples resident memory from /proc, and
 * can kill -9 and restart any of them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DAEMON_NODE_FLAGS } from '../../test/support/gtc-cli.ts';
import type { Timebase } from '../../test/support/timebase.ts';

const GTC_MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

/** What the harness learns from a daemon's log line. */
export type DaemonEvent =
  | { kind: 'transition'; daemon: number; life: number; instance: string; at: number; from: string; to: string; reason: string }
  | { kind: 'run'; daemon: number; life: number; instance: string; at: number; startedAt: number; ok: boolean; failureClass: string | null; stateAfter?: string };

export interface RssSample {
  daemon: number;
  pid: number;
  /** Simulated time, epoch ms. */
  at: number;
  rssMb: number;
  /** Of which anonymous pages: V8's heap, malloc (native modules, V8's own bookkeeping), stacks. */
  anonMb: number;
  /** Of which file-backed and shared pages: the node binary's code as it gets paged in, mapped files. */
  fileMb: number;
  /**
   * Of the anonymous pages, those of the brk heap: glibc's main arena, where the main thread's
   * malloc goes (SQLite's page cache and statements, Node's and V8's native allocations made on
   * the main thread). Read from /proc/<pid>/smaps, every `SMAPS_EVERY`th sample (it is longer).
   */
  brkMb?: number;
}

const SMAPS_EVERY = 10;

/** Resident size of the `[heap]` mapping in a /proc/<pid>/smaps text, in MB (0 when there is none). */
export function brkHeapMb(smaps: string): number {
  const match = /\[heap\]\n(?:[^\n]*\n)*?Rss:\s+(\d+) kB/.exec(smaps);
  return match ? Number(match[1]) / 1024 : 0;
}

/** V8's heap of a daemon process after a full (mark-compact) collection, from its `--trace-gc` line. */
export interface HeapSample {
  daemon: number;
  pid: number;
  /** Simulated time, epoch ms. */
  at: number;
  /** Live objects after the collection: what a leak in JavaScript makes grow. */
  usedMb: number;
  /** Heap memory reserved from the system after it (part of RSS). */
  committedMb: number;
}

/**
 * Node flags the harness adds: one line per full collection (scavenges are many and say
 * nothing of a leak), e.g. `Mark-Compact 59.1 (89.9) -> 45.7 (79.1) MB`.
 */
const TRACE_GC_FLAGS = ['--trace-gc', '--trace-gc-ignore-scavenger'];
const MARK_COMPACT = /Mark-Compact [\d.]+ \([\d.]+\) -> ([\d.]+) \(([\d.]+)\) MB/;

export interface ClusterOptions {
  count: number;
  configFile: string;
  logDir: string;
  timebase: Timebase;
  /** Runs the daemons as the replaced system (the baseline). */
  emulateReplacedSystem: boolean;
  /** A built bin/gtc.js (default: the TypeScript sources through tsx). */
  gtcBin?: string;
  onEvent: (event: DaemonEvent) => void;
  /** A page of `instance` was stored at simulated time `at` (debug lines: many, kept apart from the events). */
  onPage?: (instance: string, at: number) => void;
  rssEveryMs?: number;
}

interface Slot {
  child: ChildProcess | undefined;
  exited: Promise<void>;
  log: WriteStream;
  starts: number;
}

export class DaemonCluster {
  readonly rss: RssSample[] = [];
  readonly heap: HeapSample[] = [];
  /** Log lines at level error or above (pino 50+), first few kept per daemon. */
  readonly errors: string[] = [];
  errorCount = 0;
  private stopped = false;
  private readonly slots: Slot[] = [];
  private readonly sampler: NodeJS.Timeout;
  private samples = 0;

  constructor(private readonly options: ClusterOptions) {
    for (let i = 0; i < options.count; i++) {
      this.slots.push({ child: undefined, exited: Promise.resolve(), log: createWriteStream(join(options.logDir, `daemon-${i}.log`), { flags: 'a' }), starts: 0 });
    }
    this.sampler = setInterval(() => this.sampleRss(), options.rssEveryMs ?? 1000);
  }

  get count(): number {
    return this.slots.length;
  }

  startAll(): void {
    for (let i = 0; i < this.slots.length; i++) this.start(i);
  }

  pid(index: number): number | undefined {
    return this.slot(index).child?.pid;
  }

  isRunning(index: number): boolean {
    const child = this.slot(index).child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  start(index: number): void {
    const slot = this.slot(index);
    if (this.isRunning(index)) return;
    const { timebase } = this.options;
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GTC_')));
    Object.assign(env, {
      ...timebase.env(),
      ...(this.options.emulateReplacedSystem ? { GTC_EMULATE_REPLACED_SYSTEM: '1' } : {}),
    });
    const entry = this.options.gtcBin ? [this.options.gtcBin] : ['--import', 'tsx', GTC_MAIN];
    // The Node options `npm start` runs the daemon with (its old-generation cap included).
    const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, ...TRACE_GC_FLAGS, ...entry, '--config', this.options.configFile, 'start'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    slot.child = child;
    slot.starts += 1;
    // Which process of this daemon (restarts after kill -9 are new ones) logged a line.
    const life = slot.starts;
    slot.exited = new Promise((resolve) => child.once('close', () => resolve()));
    slot.log.write(`# start ${slot.starts} pid ${child.pid} at ${new Date().toISOString()}\n`);
    // The logger writes JSON lines to stderr; either stream is read the same way.
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        slot.log.write(`${line}\n`);
        this.parse(index, life, line, child.pid);
      });
    }
  }

  /** kill -9; resolves once the process is gone. */
  async kill(index: number): Promise<void> {
    const slot = this.slot(index);
    if (!this.isRunning(index)) return;
    slot.log.write(`# kill -9 at ${new Date().toISOString()}\n`);
    slot.child?.kill('SIGKILL');
    await slot.exited;
  }

  /** SIGTERM to every daemon (a clean shutdown); kill -9 after `graceMs` real ms. */
  async stopAll(graceMs = 20_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.sampler);
    await Promise.all(this.slots.map(async (slot, index) => {
      if (!this.isRunning(index)) return;
      slot.child?.kill('SIGTERM');
      const timer = setTimeout(() => slot.child?.kill('SIGKILL'), graceMs);
      await slot.exited;
      clearTimeout(timer);
    }));
    await Promise.all(this.slots.map((slot) => new Promise<void>((resolve) => slot.log.end(() => resolve()))));
  }

  private slot(index: number): Slot {
    const slot = this.slots[index];
    if (!slot) throw new Error(`no daemon ${index}`);
    return slot;
  }

  private parse(daemon: number, life: number, line: string, pid: number | undefined): void {
    if (!line.startsWith('{')) {
      const gc = MARK_COMPACT.exec(line);
      if (gc && pid !== undefined) this.heap.push({ daemon, pid, at: this.options.timebase.now(), usedMb: Number(gc[1]), committedMb: Number(gc[2]) });
      return;
    }
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const level = Number(entry.level ?? 0);
    const msg = String(entry.msg ?? '');
    if (level >= 50) {
      this.errorCount += 1;
      // The error's type and message, not its stack: a stack names this machine's paths, and reports are committed.
      const err = entry.err as { type?: unknown; message?: unknown } | string | undefined;
      const what = typeof err === 'object' && err !== null ? `${String(err.type ?? 'Error')}: ${String(err.message ?? '')}` : err;
      if (this.errors.length < 20) this.errors.push(`daemon ${daemon}: ${msg}${what ? ` (${what.slice(0, 300)})` : ''}`);
    }
    const instance = typeof entry.instance === 'string' ? entry.instance : undefined;
    if (!instance) return;
    const at = this.options.timebase.toSim(typeof entry.time === 'string' ? Date.parse(entry.time) : Number(entry.time));
    if (msg === 'page stored') this.options.onPage?.(instance, at);
    else if (msg.startsWith('state ') && typeof entry.to === 'string') {
      this.options.onEvent({ kind: 'transition', daemon, life, instance, at, from: String(entry.from), to: entry.to, reason: String(entry.reason ?? '') });
    } else if (msg === 'run succeeded') {
      this.options.onEvent({ kind: 'run', daemon, life, instance, at, startedAt: at - Number(entry.durationMs ?? 0), ok: true, failureClass: null });
    } else if (msg === 'run failed') {
      this.options.onEvent({ kind: 'run', daemon, life, instance, at, startedAt: at, ok: false, failureClass: typeof entry.failureClass === 'string' ? entry.failureClass : null, ...(typeof entry.state === 'string' ? { stateAfter: entry.state } : {}) });
    }
  }

  private sampleRss(): void {
    const at = this.options.timebase.now();
    const withSmaps = this.samples++ % SMAPS_EVERY === 0;
    this.slots.forEach((slot, daemon) => {
      const pid = slot.child?.pid;
      if (pid === undefined || !this.isRunning(daemon)) return;
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const mb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
        const rssMb = mb('VmRSS');
        if (!Number.isFinite(rssMb)) return;
        const brk = withSmaps ? { brkMb: brkHeapMb(readFileSync(`/proc/${pid}/smaps`, 'utf8')) } : {};
        this.rss.push({ daemon, pid, at, rssMb, anonMb: mb('RssAnon'), fileMb: mb('RssFile') + mb('RssShmem'), ...brk });
      } catch {
        // The process just exited.
      }
    });
  }
}
