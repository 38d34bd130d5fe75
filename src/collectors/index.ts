/** The collectors' public surface: the registry the runtime and the CLI build instances with. */
export { buildCollectors, COLLECTOR_NAMES, type CollectorSelection } from './registry.ts';
export type { CollectorDeps } from './deps.ts';
export type { CollectorInstance, Rejection, RunContext, RunSummary } from './types.ts';
export { backfillOhlcv, type BackfillOptions, type BackfillProgress, type BackfillResult } from './ohlcv-backfill.ts';
