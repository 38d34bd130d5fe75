/** The runtime's public surface: what `gtc start`, `gtc demo`, the CLI and the server use. */
export { createDaemon, Daemon, type DaemonOptions, type DaemonProbes, type DaemonState } from './daemon.ts';
export { RuntimeEvents, type IntervalChangedEvent, type RunFinishedEvent, type RunStatus, type TransitionEvent } from './events.ts';
export { DatabaseBudgetStore } from './budget-store.ts';
export { setCollectorDisabled, processOwnerId, parseOwnerId } from './store-records.ts';
export { stopOnSignals, type ShutdownHandle, type ShutdownOptions } from './shutdown.ts';
export { storeProbe } from './store-probe.ts';
export { GatedProbe } from './gated-probe.ts';
export type { Probe } from './probe.ts';
export type { InstanceStatus } from './status.ts';
export { HEALTH_STATES, type HealthState, type RecoveryPolicy } from './supervisor.ts';
export { markAbandonedRuns } from './abandoned-runs.ts';
