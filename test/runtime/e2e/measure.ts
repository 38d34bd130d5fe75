/**
 * Measurements an end-to-end test takes from outside the daemon: how quickly its HTTP server
 * answers (a blocked event loop answers late or not at all), and what its log says happened
 * around a fault window.
 */
import type { DaemonEvent, DaemonProcess } from './daemon-process.ts';

type RunEvent = Extract<DaemonEvent, { kind: 'run' }>;

export interface Responsiveness {
  samples: number;
  /** Slowest /healthz answer, real ms (a request still unanswered at the end counts as its age). */
  maxMs: number;
  p50Ms: number;
}

/** Polls `url`/healthz every `everyMs` real ms until stop(); one request at a time. */
export function sampleHealthz(url: string, everyMs = 100): { stop(): Promise<Responsiveness> } {
  const latencies: number[] = [];
  let stopped = false;
  let pending: { since: number } | undefined;
  const loop = (async () => {
    while (!stopped) {
      const since = performance.now();
      pending = { since };
      try {
        await (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(30_000) })).text();
      } catch {
        // Counted by its latency below.
      }
      pending = undefined;
      latencies.push(performance.now() - since);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      const open = pending ? performance.now() - pending.since : 0;
      await Promise.race([loop, new Promise((resolve) => setTimeout(resolve, 100))]);
      const sorted = [...latencies].sort((a, b) => a - b);
      return { samples: sorted.length, maxMs: Math.round(Math.max(open, sorted.at(-1) ?? 0)), p50Ms: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0) };
    },
  };
}

export interface InstanceOutcome {
  instance: string;
  failedRuns: RunEvent[];
  /** Runs that ended after the fault began (successful or not), oldest first. */
  runsAfterStart: RunEvent[];
  /** The first successful run that ended after the fault ended. */
  firstSuccessAfterEnd: RunEvent | undefined;
  /** Longest stay in `suspended` that began at or after the fault start, simulated ms (open stays end at `now`). */
  longestSuspendedMs: number;
  /** When the last stay in `suspended` ended (or undefined). */
  resumedAt: number | undefined;
  suspensions: number;
  states: string[];
}

/** What the log says each instance went through from `start` on (times simulated). */
export function outcomes(daemon: DaemonProcess, start: number, end: number, now: number): InstanceOutcome[] {
  const names = [...new Set(daemon.runs().map((r) => r.instance))].sort();
  return names.map((instance) => {
    const runs = daemon.runs(instance).filter((r) => r.at >= start);
    const transitions = daemon.transitions(instance).filter((e) => e.at >= start);
    let longest = 0;
    let since: number | undefined;
    let resumedAt: number | undefined;
    let suspensions = 0;
    for (const e of transitions) {
      if (e.to === 'suspended') {
        since = e.at;
        suspensions += 1;
      } else if (since !== undefined) {
        longest = Math.max(longest, e.at - since);
        resumedAt = e.at;
        since = undefined;
      }
    }
    if (since !== undefined) longest = Math.max(longest, now - since);
    return {
      instance, failedRuns: runs.filter((r) => !r.ok), runsAfterStart: runs,
      firstSuccessAfterEnd: runs.find((r) => r.ok && r.at >= end), longestSuspendedMs: longest, resumedAt, suspensions,
      states: transitions.map((e) => e.to),
    };
  });
}

/** Seconds with one decimal, for diagnostics. */
export const sec = (ms: number | undefined): string => (ms === undefined ? '-' : (ms / 1000).toFixed(1));
