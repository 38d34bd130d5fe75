/** Spawning slot-worker children and following their JSON lines. */
import type { ChildProcess } from 'node:child_process';
import { spawnTs } from '../support/child.ts';
import type { WorkerConfig } from './workers/slot-worker.ts';

export const WORKER = new URL('./workers/slot-worker.ts', import.meta.url).pathname;

export interface WorkerEvent {
  event: 'ready' | 'run-start' | 'run-end' | 'done';
  pid: number;
  owner?: string;
  runId?: number;
  slot?: number;
  at?: number;
}

export class Worker {
  readonly child: ChildProcess;
  readonly events: WorkerEvent[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private listeners: ((e: WorkerEvent) => void)[] = [];

  constructor(config: WorkerConfig) {
    this.child = spawnTs(WORKER, [JSON.stringify(config)]);
    let buffer = '';
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        const event = JSON.parse(line) as WorkerEvent;
        this.events.push(event);
        for (const l of this.listeners) l(event);
      }
    });
    this.child.stderr?.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Resolves with the first event (past or future) matching `predicate`. */
  waitFor(predicate: (e: WorkerEvent) => boolean, timeoutMs = 30_000): Promise<WorkerEvent> {
    const seen = this.events.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${this.pid}: no matching event within ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`)), timeoutMs);
      timer.unref();
      const listener = (e: WorkerEvent): void => {
        if (!predicate(e)) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
        resolve(e);
      };
      this.listeners.push(listener);
    });
  }

  /** Calls `fn` on every future event. */
  onEvent(fn: (e: WorkerEvent) => void): void {
    this.listeners.push(fn);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}
