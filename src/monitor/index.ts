/** Observability: the status model, Prometheus metrics, alert rules and sinks, and the daemon's Monitor. */
export * from './alerts/index.ts';
export { collectorsFromDatabase, databaseStatus, openGapCount, remainingTodayFromDatabase, statusFromDatabase, type DatabaseStatusOptions } from './health.ts';
export { GtcMetrics, type ApiRequestObserved, type BreakerName, type RunFinished } from './metrics.ts';
export { Monitor, type MonitorOptions, type ObservedApi, type ObservedDaemon } from './monitor.ts';
export { alertsReference, metricsReference } from './reference.ts';
export * from './status.ts';
