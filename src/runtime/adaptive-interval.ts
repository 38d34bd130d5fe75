/**
 * Adaptive intervals (the incident report's recommendation, bounded): when too many of an
 * instance's recent runs met a locked database or a rate limit, it runs less often; when it
 * succeeds steadily, it returns toward its configured interval — never below it, never above
 * configured × maxFactor. Pure: the caller keeps the state.
 */

/** How one run went, as far as contention is concerned. */
export type RunOutcome = 'ok' | 'contended' | 'failed';

export interface AdaptiveParams {
  configuredMs: number;
  /** The interval never exceeds configuredMs × maxFactor (recovery.maxIntervalFactor). */
  maxFactor: number;
  /** How many recent runs are judged (default 10). */
  window?: number;
  /** Runs needed before any decision (default 5). */
  minSamples?: number;
}

export interface AdaptiveState {
  intervalMs: number;
  /** Outcomes since the last change, newest last, at most `window` long. */
  recent: readonly RunOutcome[];
}

const STRETCH_ABOVE = 0.1;
const RELAX_ABOVE = 0.95;
const STRETCH_FACTOR = 1.5;
/**
 * One window of steady success undoes one stretch. The incident report sketched × 0.9, but that
 * takes 13 windows back from a 4× stretch: in a 7-day soak a daemon living through daily fault
 * cycles kept ohlcv's 5-minute tick near its 20-minute cap most of each day, past the 15-minute
 * interval the user asked for, hours after a 3-minute 429 storm had ended.
 */
const RELAX_FACTOR = 1 / STRETCH_FACTOR;

export function initialAdaptiveState(params: AdaptiveParams, persistedMs?: number): AdaptiveState {
  return { intervalMs: clampInterval(persistedMs ?? params.configuredMs, params), recent: [] };
}

/**
 * The state after one more run. A change clears the window, so the next decision rests on runs
 * made at the new interval rather than on the same evidence counted again.
 */
export function recordOutcome(state: AdaptiveState, outcome: RunOutcome, params: AdaptiveParams): AdaptiveState {
  const window = params.window ?? 10;
  const minSamples = Math.min(params.minSamples ?? 5, window);
  const recent = [...state.recent, outcome].slice(-window);
  if (recent.length < minSamples) return { intervalMs: state.intervalMs, recent };

  // Contention is a share of the whole window, the runs not made yet counting as uncontended: at
  // five runs, one 429 (20 % of them) would stretch the interval, and a sporadic one between
  // storms kept it stretched for hours. It takes more than 10 % of the window (two of ten runs),
  // however few runs were made since the last change.
  const contendedShare = recent.filter((o) => o === 'contended').length / window;
  const successRate = recent.filter((o) => o === 'ok').length / recent.length;
  let next = state.intervalMs;
  if (contendedShare > STRETCH_ABOVE) next = state.intervalMs * STRETCH_FACTOR;
  else if (successRate > RELAX_ABOVE) next = state.intervalMs * RELAX_FACTOR;
  next = clampInterval(next, params);
  if (next === state.intervalMs) return { intervalMs: state.intervalMs, recent };
  return { intervalMs: next, recent: [] };
}

function clampInterval(ms: number, params: AdaptiveParams): number {
  const max = params.configuredMs * Math.max(1, params.maxFactor);
  return Math.round(Math.min(max, Math.max(params.configuredMs, ms)));
}
