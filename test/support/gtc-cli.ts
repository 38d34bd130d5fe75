import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The gtc launcher (runs the TypeScript sources through tsx when nothing is built). */
export const GTC_BIN = new URL('../../bin/gtc.js', import.meta.url).pathname;

/** The Node options the launcher's first line gives (`#!/usr/bin/env -S node …`): children started with process.execPath get them too. */
export const GTC_NODE_FLAGS: readonly string[] = (/^#!.*\bnode\b(.*)$/m.exec(readFileSync(GTC_BIN, 'utf8').split('\n')[0] ?? '')?.[1] ?? '').trim().split(/\s+/).filter(Boolean);

/** The Node options `npm start` runs the daemon with (package.json's start script: `node … --import tsx …`). */
export const DAEMON_NODE_FLAGS: readonly string[] = (() => {
  const scripts = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts;
  return (/^node\s+(.*?)\s*--import\b/.exec(scripts.start ?? '')?.[1] ?? '').split(/\s+/).filter(Boolean);
})();

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `gtc ARGS` to completion in a child process with a minimal, explicit environment. */
export function runGtc(args: string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): CliResult {
  const result = spawnSync(process.execPath, [...GTC_NODE_FLAGS, GTC_BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: options.cwd, ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `gtc ARGS` as a long-running child (daemon, demo, sim). */
export function spawnGtc(args: string[], options: SpawnOptions & { env?: Record<string, string> }): ChildProcess {
  return spawn(process.execPath, [...GTC_NODE_FLAGS, GTC_BIN, ...args], {
    ...options,
    env: { PATH: process.env.PATH ?? '', HOME: String(options.cwd ?? process.cwd()), ...options.env },
    stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
  });
}
