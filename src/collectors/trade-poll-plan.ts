/**
 * When to poll a pool's trades next. The API returns only the last 300 trades within 24 h, so a
 * pool must be polled before it makes 300 new trades, and a quiet pool at least once within the
 * 24 h. The rate is estimated from the last response (the busiest of its recent windows, so a
 * burst is followed at once), and never taken below the pool's average of the last hours (so a
 * quiet hour does not hide a busy pool from the next busy one); the next poll is due when ~TARGET
 * trades are expected even if the rate doubles meanwhile (activity changes hour to hour), bounded
 * by the configured min/max poll intervals. A full response that does not reach back to trades
 * already stored means trades were lost upstream: that span becomes a data gap and the pool is
 * polled again soon. Pure: no I/O, times in epoch seconds.
 */

/** Trades the API returns at most (the last 300 within 24 h). */
export const TRADE_WINDOW = 300;
/** Trades expected at the next poll: half the window, leaving room for a burst. */
export const TARGET_TRADES_PER_POLL = 150;
/** How much busier than measured a pool is planned for: hourly activity often doubles. */
const BURST_FACTOR = 2;
const DAY = 86_400;
/** Windows (seconds) the rate is measured over; the busiest one that the response covers wins. */
const RATE_WINDOWS = [900, 3600, 6 * 3600, DAY] as const;
/** Time constant (seconds) of the pool's average rate. */
const AVERAGE_OVER_S = 6 * 3600;

/** Per-pool state, stored as the pool's checkpoint (collector `trades`). */
export interface TradePollState {
  /** Start of continuous coverage (epoch seconds): every trade from here to lastPollAt was stored. */
  since: number | null;
  /** Newest block_timestamp seen. */
  newestTs: number | null;
  /** Estimated trades per second (above minVolumeUsd): what the next poll is planned with. */
  rate: number;
  /** The measured rate averaged over the last hours (a floor under `rate`). */
  averageRate: number;
  lastPollAt: number | null;
  nextPollAt: number;
  /** When the 300-trade window would overflow at the estimated rate: the priority (earliest first). */
  deadline: number;
}

export interface PollObservation {
  /** Time of the poll (seconds). */
  now: number;
  /** block_timestamp of every valid trade of the response. */
  timestamps: readonly number[];
  /** Items in the response, valid or not: 300 means the window was full. */
  itemCount: number;
  /** True when at least one returned trade was already stored (the response joins up with the past). */
  overlapped: boolean;
}

export interface PollLimits {
  minPollS: number;
  maxPollS: number;
}

export interface TradeGap {
  fromTs: number;
  toTs: number;
}

export function initialPollState(now: number): TradePollState {
  return { since: null, newestTs: null, rate: 0, averageRate: 0, lastPollAt: null, nextPollAt: now, deadline: now };
}

/** Trades per second: the busiest of the windows the response fully covers. */
export function estimateRate(obs: Pick<PollObservation, 'now' | 'timestamps' | 'itemCount'>): number {
  const { now, timestamps } = obs;
  if (timestamps.length === 0) return 0;
  const full = obs.itemCount >= TRADE_WINDOW;
  const oldest = Math.min(...timestamps);
  // A full response covers only back to its oldest trade; a short one covers the whole 24 h.
  const covered = full ? Math.max(1, now - oldest) : DAY;
  let rate = full ? timestamps.length / covered : 0;
  for (const window of RATE_WINDOWS) {
    if (window > covered) break;
    let count = 0;
    for (const ts of timestamps) if (ts > now - window) count += 1;
    rate = Math.max(rate, count / window);
  }
  return rate;
}

/** The state after a poll, and the span of trades lost upstream if the window overflowed. */
export function planAfterPoll(state: TradePollState, obs: PollObservation, limits: PollLimits): { state: TradePollState; gap: TradeGap | null } {
  const { now, timestamps } = obs;
  const oldest = timestamps.length > 0 ? Math.min(...timestamps) : null;
  const newest = timestamps.length > 0 ? Math.max(...timestamps) : null;
  const full = obs.itemCount >= TRADE_WINDOW;
  // Everything up to the previous poll was collected; a full response that does not reach back to
  // a stored trade lost what lies between that poll and its oldest trade.
  const overflowed = full && !obs.overlapped && state.lastPollAt !== null && oldest !== null && oldest >= state.lastPollAt;
  const gap = overflowed ? { fromTs: state.lastPollAt as number, toTs: oldest as number } : null;
  const measured = estimateRate(obs);
  const weight = state.lastPollAt === null ? 1 : 1 - Math.exp(-Math.max(0, now - state.lastPollAt) / AVERAGE_OVER_S);
  const averageRate = state.averageRate + (measured - state.averageRate) * weight;
  const rate = Math.max(measured, averageRate);
  const expectedInterval = rate > 0 ? TARGET_TRADES_PER_POLL / (rate * BURST_FACTOR) : limits.maxPollS;
  const interval = overflowed ? limits.minPollS : clamp(expectedInterval, limits.minPollS, limits.maxPollS);
  const overflowIn = rate > 0 ? Math.min(DAY, TRADE_WINDOW / rate) : DAY;
  return {
    state: {
      // Coverage starts where the first answer is known complete: after the second of its oldest
      // trade when it was full (that second may hold trades it left out), else 24 h back.
      since: state.since ?? (full && oldest !== null ? oldest + 1 : now - DAY + 1),
      newestTs: newest === null ? state.newestTs : Math.max(newest, state.newestTs ?? newest),
      rate,
      averageRate,
      lastPollAt: now,
      nextPollAt: now + Math.round(interval),
      deadline: now + Math.round(overflowIn),
    },
    gap,
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Reads a stored state, or null when the text is not one (then the pool starts afresh). */
export function parsePollState(text: string | undefined): TradePollState | null {
  if (text === undefined) return null;
  try {
    const value = JSON.parse(text) as Partial<TradePollState>;
    if (typeof value.nextPollAt !== 'number' || typeof value.rate !== 'number' || typeof value.deadline !== 'number') return null;
    return {
      since: value.since ?? null,
      newestTs: value.newestTs ?? null,
      rate: value.rate,
      averageRate: typeof value.averageRate === 'number' ? value.averageRate : value.rate,
      lastPollAt: value.lastPollAt ?? null,
      nextPollAt: value.nextPollAt,
      deadline: value.deadline,
    };
  } catch {
    return null;
  }
}
