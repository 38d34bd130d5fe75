import type { CollectorStatus, StatusReport } from '../../src/monitor/status.ts';

/** A status report with sensible defaults, for tests that vary one field at a time. */
export function collectorStatus(name: string, over: Partial<CollectorStatus> = {}): CollectorStatus {
  return {
    name,
    collector: name.split(':')[0] as string,
    state: 'healthy',
    consecutiveFailures: 0,
    lastRunAt: null,
    lastRunStatus: null,
    lastSuccessAt: null,
    nextRunAt: null,
    intervalSeconds: 300,
    configuredIntervalSeconds: 300,
    lastError: null,
    running: false,
    ...over,
  };
}

export function statusReport(collectors: CollectorStatus[], over: Partial<StatusReport> = {}): StatusReport {
  return {
    collectors,
    database: { dialect: 'sqlite', ok: true, latencyMs: 0.2, writeLockWaitMs: 0.1, walSizeBytes: 0, breaker: 'closed', busyRetries: 0, error: null },
    api: { requestsPerMinute: 0, limitPerMinute: 30, remainingToday: 10_000, dailyLimit: 10_000, queueLength: 0, rateLimited429: 0, breaker: 'closed' },
    gaps: { open: 0 },
    generatedAt: new Date(0).toISOString(),
    source: 'daemon',
    ...over,
  };
}
