/**
 * The shape of `/api/status` and `gtc status --json` (design.md §8). Both a live daemon and the
 * database alone produce exactly this shape; a value one source cannot know is `null`, never absent.
 */

/** Supervisor states of design.md §7, in the order the dashboard lists them. */
export const COLLECTOR_STATES = ['healthy', 'degraded', 'suspended', 'disabled'] as const;
export type CollectorState = (typeof COLLECTOR_STATES)[number];

/** Circuit breaker states as reported everywhere (cockatiel's names, lower-case). */
export const BREAKER_STATES = ['closed', 'half-open', 'open', 'isolated'] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

export interface CollectorStatus {
  /** Instance name, e.g. `top-pools:solana`. */
  name: string;
  /** The collector it is an instance of, e.g. `top-pools`. */
  collector: string;
  state: string;
  consecutiveFailures: number;
  lastRunAt: string | null;
  /** `ok`, `failed`, `skipped`, `abandoned`, or null before the first run. */
  lastRunStatus: string | null;
  lastSuccessAt: string | null;
  nextRunAt: string | null;
  /** The interval in force now (adaptive intervals stretch it under lock or 429 pressure). */
  intervalSeconds: number;
  /** The interval in the configuration, when known. */
  configuredIntervalSeconds: number | null;
  lastError: string | null;
  /** Whether a run is in progress; only a live daemon knows. */
  running: boolean | null;
}

export interface DatabaseStatus {
  dialect: 'sqlite' | 'postgres';
  ok: boolean;
  latencyMs: number | null;
  writeLockWaitMs: number | null;
  walSizeBytes: number | null;
  /** The write path's circuit breaker; only a live daemon knows it. */
  breaker: BreakerState | null;
  /** Busy/locked retries of the write path since the daemon started; only a live daemon knows. */
  busyRetries: number | null;
  error: string | null;
}

export interface ApiStatus {
  /** Calls made in the last minute. */
  requestsPerMinute: number | null;
  limitPerMinute: number;
  remainingToday: number | null;
  dailyLimit: number;
  /** Callers waiting for the rate limiter. */
  queueLength: number | null;
  /** 429 answers received since the daemon started. */
  rateLimited429: number | null;
  breaker: BreakerState | null;
}

export interface StatusReport {
  collectors: CollectorStatus[];
  database: DatabaseStatus;
  api: ApiStatus;
  gaps: { open: number };
  generatedAt: string;
  /** Where the report came from: the daemon in this process, or the database read by another process. */
  source: 'daemon' | 'database';
}

/** An epoch-milliseconds time (or null) as the ISO string the report carries. */
export function isoOrNull(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

/** The breaker state under any of the spellings libraries use (cockatiel's enum numbers included). */
export function normaliseBreakerState(value: unknown): BreakerState | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return (['closed', 'open', 'half-open', 'isolated'] as const)[value] ?? null;
  const text = String(value).toLowerCase().replace(/[_\s]/g, '-');
  if (text === 'halfopen') return 'half-open';
  return (BREAKER_STATES as readonly string[]).includes(text) ? (text as BreakerState) : null;
}
