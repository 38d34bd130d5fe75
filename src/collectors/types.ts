import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { CollectorName } from '../config/schema.ts';

/** An item the API sent that failed validation; the rest of its page is still stored. */
export interface Rejection {
  /** What was being read, e.g. "top-pools solana page 2". */
  source: string;
  index: number;
  id?: string;
  reason: string;
}

/** What one run of a collector instance did. */
export interface RunSummary {
  rowsWritten: number;
  rejected: number;
  /** The first few rejections, with reasons, for logs and `gtc collect` output. */
  rejections: Rejection[];
  pages: number;
  apiCalls: number;
  /** Collector-specific counters (gaps recorded, pools deactivated, …). */
  details?: Record<string, number>;
}

export interface RunContext {
  /** The collection_runs row of this run: each page's transaction adds its counts to it. */
  runId: number;
  /** Aborted when the run's time limit passes or the process shuts down. */
  signal: AbortSignal;
  clock: Clock;
  logger: Logger;
  /**
   * API calls of this run are not started after this (epoch ms): a call still waiting for budget
   * then fails with StartByPassedError. Set by collectors that budget their runs (ohlcv, trades).
   */
  startCallsBy?: number;
}

/**
 * One schedulable unit, e.g. `top-pools:solana` or `ohlcv`. Collectors know nothing about
 * retries, schedules or health: they ask the API for pages and hand rows to the store.
 */
export interface CollectorInstance {
  /** Unique instance name: the collector, plus `:network` or `:network:dex` where it is per network. */
  readonly name: string;
  readonly collector: CollectorName;
  /** Configured interval in milliseconds. */
  readonly intervalMs: number;
  /** What a cheap health probe for this instance must check before resuming it. */
  readonly dependsOn: 'api' | 'database';
  run(context: RunContext): Promise<RunSummary>;
}
