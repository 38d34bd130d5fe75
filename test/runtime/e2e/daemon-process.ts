/**
 * One real `node bin/gtc.js --config FILE start` child on the test's accelerated time. Its JSON
 * log (stderr) is the runtime's own record of what happened: state changes and finished runs,
 * read here with their times converted to simulated time.
 */
import type { ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { spawnGtc } from '../../support/gtc-cli.ts';
import type { Timebase } from '../../support/timebase.ts';

export type DaemonEvent =
  | { kind: 'transition'; instance: string; at: number; from: string; to: string; reason: string }
  | { kind: 'run'; instance: string; at: number; startedAt: number; ok: boolean; failureClass: string | null; error: string | null }
  | { kind: 'ready'; at: number; owner: string };

export interface DaemonOptions {
  configFile: string;
  cwd: string;
  timebase: Timebase;
  /** Every log line is appended here (kept with the test's temp dir; printed on failure). */
  logFile: string;
  env?: Record<string, string>;
}

export class DaemonProcess {
  readonly events: DaemonEvent[] = [];
  /** Lines logged at error level or above. */
  readonly errors: string[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The HTTP server's base URL, once the daemon printed it. */
  url: string | undefined;
  private listeners: (() => void)[] = [];
  private tail: string[] = [];

  constructor(private readonly options: DaemonOptions) {
    this.child = spawnGtc(['--config', options.configFile, 'start'], { cwd: options.cwd, env: { ...options.timebase.env(), ...options.env } });
    this.exited = new Promise((resolve) => this.child.once('close', (code, signal) => resolve({ code, signal })));
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.onLine(line));
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  runs(instance?: string): Extract<DaemonEvent, { kind: 'run' }>[] {
    return this.events.filter((e): e is Extract<DaemonEvent, { kind: 'run' }> => e.kind === 'run' && (instance === undefined || e.instance === instance));
  }

  transitions(instance?: string): Extract<DaemonEvent, { kind: 'transition' }>[] {
    return this.events.filter((e): e is Extract<DaemonEvent, { kind: 'transition' }> => e.kind === 'transition' && (instance === undefined || e.instance === instance));
  }

  /** Resolves once `check` returns a value (checked on every log line and every 100 ms). */
  waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 60_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = (): boolean => {
        const value = check();
        if (value === undefined) return false;
        cleanup();
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`daemon ${this.pid}: ${what} did not happen within ${timeoutMs} ms; last lines:\n${this.tail.join('\n')}`));
      }, timeoutMs);
      const poll = setInterval(done, 100);
      const listener = (): void => void done();
      const cleanup = (): void => {
        clearTimeout(timer);
        clearInterval(poll);
        this.listeners = this.listeners.filter((l) => l !== listener);
      };
      if (!done()) this.listeners.push(listener);
    });
  }

  /**
   * Waits until the scheduler has started (runs of dead processes already closed as abandoned)
   * and the server URL is known; resolves with the simulated time and the daemon's owner id.
   */
  ready(timeoutMs = 60_000): Promise<{ at: number; owner: string }> {
    return this.waitFor('start-up', () => {
      if (!this.running) throw new Error(`daemon ${this.pid} exited during start-up:\n${this.tail.join('\n')}`);
      const ready = this.events.find((e): e is Extract<DaemonEvent, { kind: 'ready' }> => e.kind === 'ready');
      return ready && this.url !== undefined ? { at: ready.at, owner: ready.owner } : undefined;
    }, timeoutMs);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM, then kill -9 after `graceMs`; resolves with how it exited. */
  async stop(graceMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  private onLine(line: string): void {
    appendFileSync(this.options.logFile, `${line}\n`);
    this.tail.push(line.slice(0, 500));
    if (this.tail.length > 30) this.tail.shift();
    const url = /dashboard at (http:\/\/[^\s]+?)\/?$/.exec(line)?.[1];
    if (url && !line.startsWith('{')) this.url = url;
    if (line.startsWith('{')) this.parse(line);
    for (const listener of [...this.listeners]) listener();
  }

  private parse(line: string): void {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const msg = String(entry.msg ?? '');
    if (Number(entry.level ?? 0) >= 50) this.errors.push(line.slice(0, 1000));
    const at = this.options.timebase.toSim(Date.parse(String(entry.time)));
    if (msg === 'scheduler started') this.events.push({ kind: 'ready', at, owner: String(entry.owner) });
    const instance = typeof entry.instance === 'string' ? entry.instance : undefined;
    if (!instance) return;
    if (msg.startsWith('state ') && typeof entry.to === 'string') {
      this.events.push({ kind: 'transition', instance, at, from: String(entry.from), to: entry.to, reason: String(entry.reason ?? '') });
    } else if (msg === 'run succeeded' || msg === 'run failed') {
      const ok = msg === 'run succeeded';
      const startedAt = ok ? at - Number(entry.durationMs ?? 0) : at;
      const failureClass = typeof entry.failureClass === 'string' ? entry.failureClass : null;
      this.events.push({ kind: 'run', instance, at, startedAt, ok, failureClass, error: typeof entry.error === 'string' ? entry.error : null });
    }
  }
}
