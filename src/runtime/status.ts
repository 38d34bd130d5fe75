/**
 * The runtime's view of one instance in the shape of design.md §8 (`/api/status` collectors
 * array), with ISO strings for times.
 */
import type { CollectorInstance } from '../collectors/types.ts';
import type { HealthSnapshot } from './supervisor.ts';

export interface InstanceStatus {
  name: string;
  collector: string;
  state: string;
  consecutiveFailures: number;
  lastRunAt: string | null;
  lastRunStatus: string | null;
  lastSuccessAt: string | null;
  nextRunAt: string | null;
  intervalSeconds: number;
  configuredIntervalSeconds: number;
  lastError: string | null;
  running: boolean;
}

export interface InstanceStatusInput {
  instance: CollectorInstance;
  snapshot: HealthSnapshot;
  intervalMs: number;
  nextRunAt: number | null;
  lastRunAt: number | null;
  lastRunStatus: string | null;
  lastSuccessAt: number | null;
  running: boolean;
}

export function instanceStatus(input: InstanceStatusInput): InstanceStatus {
  const disabled = input.snapshot.state === 'disabled';
  return {
    name: input.instance.name,
    collector: input.instance.collector,
    state: input.snapshot.state,
    consecutiveFailures: input.snapshot.consecutiveFailures,
    lastRunAt: iso(input.lastRunAt),
    lastRunStatus: input.lastRunStatus,
    lastSuccessAt: iso(input.lastSuccessAt),
    nextRunAt: disabled ? null : iso(input.nextRunAt),
    intervalSeconds: input.intervalMs / 1000,
    configuredIntervalSeconds: input.instance.intervalMs / 1000,
    lastError: input.snapshot.lastError,
    running: input.running,
  };
}

function iso(ms: number | null): string | null {
  return ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}
