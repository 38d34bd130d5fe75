/**
 * When to poll a pool's trades next. The API returns only the last 300 trades within 24 h, so a
 * pool must be polled before it makes 300 new trades, and a quiet pool at least once within the
 * 24 h. The rate is estimated from the last response (the busiest of its recent windows, so a
 * burst is followed at once), and never taken below the pool's average of the last hours (so a
 * quiet hour does not hide a busy pool from the next busy one); the next poll is due when ~TARGET
 * trades are expected even if the rate doubles meanwhile (activity changes hour to hour), bounded
 * by the configured min/max poll intervals. A full response that does not reach back to trades
 * already stored means trades were lost upstream: that span becomes a data gap and the pool is
 * polled again soon.
 *
 * A trade the API served invalid (rejected) is not stored; the API has no way to ask for it alone,
 * so its span is held and the pool polled again soon: the next answer that reaches back over the
 * span serves it again (stored if valid now). If that answer no longer reaches back, or
 * REJECTED_ATTEMPTS answers in a row rejected a trade there, the span becomes a data gap.
 * Pure: no I/O, times in epoch seconds.
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
/** Answers in a row that may reject a trade in a held span before the span is recorded as a gap. */
export const REJECTED_ATTEMPTS = 3;

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
  /**
   * Trades in [fromTs, toTs] were served invalid and are not stored, and how many answers in a row
   * did so: the next answer must reach back over it.
   */
  rejected?: { fromTs: number; toTs: number; attempts: number };
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
  /** When the answer arrived (default `now`): a short answer holds the 24 h before then. */
  answeredAt?: number;
  /** Rejected trades not already stored, placed by their own timestamp or the valid trades around them. */
  rejected?: readonly PlacedTrade[];
}

/** Where a rejected trade lies (epoch seconds; see PlacedRejection in the API client). */
export interface PlacedTrade {
  ts?: number;
  olderTs?: number;
  newerTs?: number;
}

export interface PollLimits {
  minPollS: number;
  maxPollS: number;
}

/** A span of trades that were not collected (both ends inclusive), and why. */
export interface TradeGap {
  fromTs: number;
  toTs: number;
  reason: string;
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

/** The state after a poll, and the spans of trades that were lost (data gaps). */
export function planAfterPoll(state: TradePollState, obs: PollObservation, limits: PollLimits): { state: TradePollState; gaps: TradeGap[] } {
  const { now, timestamps } = obs;
  const oldest = timestamps.length > 0 ? Math.min(...timestamps) : null;
  const newest = timestamps.length > 0 ? Math.max(...timestamps) : null;
  const full = obs.itemCount >= TRADE_WINDOW;
  // Where the answer is known complete from: after the second of its oldest trade when it was full
  // (that second may hold trades it left out), else 24 h before it was answered.
  const coveredFrom = full ? (oldest === null ? now : oldest + 1) : (obs.answeredAt ?? now) - DAY + 1;
  const since = state.since ?? coveredFrom;
  const gaps: TradeGap[] = [];
  // Everything up to the previous poll was collected; a full response that does not reach back to
  // a stored trade lost what lies between that poll and its oldest trade.
  const overflowed = full && !obs.overlapped && state.lastPollAt !== null && oldest !== null && oldest >= state.lastPollAt;
  if (overflowed) {
    gaps.push({ fromTs: state.lastPollAt as number, toTs: oldest as number, reason: `the API's ${TRADE_WINDOW}-trade window overflowed: its oldest trade is newer than the previous poll, so trades in this span were no longer served` });
  }
  // A short answer holds only the last 24 h: a pool last polled before that lost the span between.
  if (!full && state.lastPollAt !== null && coveredFrom > state.lastPollAt) {
    gaps.push({ fromTs: state.lastPollAt, toTs: coveredFrom - 1, reason: 'the pool was not polled within the API\'s 24 h window, so trades in this span were no longer served' });
  }
  let rejected = state.rejected;
  const again = rejectedSpan(obs.rejected ?? [], { full, coveredFrom, since, now, lastPollAt: state.lastPollAt });
  if (rejected !== undefined && coveredFrom > rejected.fromTs) {
    gaps.push({ fromTs: rejected.fromTs, toTs: rejected.toTs, reason: 'rejected: the API served a trade here invalid, and no longer served this span when polled again' });
    rejected = undefined;
  }
  if (again !== null) {
    const repeated = rejected !== undefined && again.fromTs <= rejected.toTs && again.toTs >= rejected.fromTs;
    rejected = { ...again, attempts: repeated ? (rejected as { attempts: number }).attempts + 1 : 1 };
    if (rejected.attempts >= REJECTED_ATTEMPTS) {
      gaps.push({ fromTs: rejected.fromTs, toTs: rejected.toTs, reason: `rejected: the API served a trade here invalid ${REJECTED_ATTEMPTS} times in a row` });
      rejected = undefined;
    }
  } else {
    // The answer reached back over the held span and served everything in it valid.
    rejected = undefined;
  }
  const measured = estimateRate(obs);
  const weight = state.lastPollAt === null ? 1 : 1 - Math.exp(-Math.max(0, now - state.lastPollAt) / AVERAGE_OVER_S);
  const averageRate = state.averageRate + (measured - state.averageRate) * weight;
  const rate = Math.max(measured, averageRate);
  const expectedInterval = rate > 0 ? TARGET_TRADES_PER_POLL / (rate * BURST_FACTOR) : limits.maxPollS;
  // A held rejected trade is asked for again soon, before it leaves the window.
  const interval = overflowed || rejected !== undefined ? limits.minPollS : clamp(expectedInterval, limits.minPollS, limits.maxPollS);
  const overflowIn = rate > 0 ? Math.min(DAY, TRADE_WINDOW / rate) : DAY;
  const next: TradePollState = {
    since,
    newestTs: newest === null ? state.newestTs : Math.max(newest, state.newestTs ?? newest),
    rate,
    averageRate,
    lastPollAt: now,
    nextPollAt: now + Math.round(interval),
    deadline: now + Math.round(overflowIn),
  };
  if (rejected !== undefined) next.rejected = rejected;
  return { state: next, gaps };
}

/**
 * The span (inclusive) holding this answer's rejected trades, within coverage: a trade's own second
 * when readable, else between the valid trades around it; past the oldest valid trade of a full
 * answer, back to the previous poll (before it, trades were collected already). Null when none.
 */
function rejectedSpan(rejected: readonly PlacedTrade[], answer: { full: boolean; coveredFrom: number; since: number; now: number; lastPollAt: number | null }): { fromTs: number; toTs: number } | null {
  let span: { fromTs: number; toTs: number } | null = null;
  for (const trade of rejected) {
    const lower = trade.ts ?? trade.olderTs ?? (answer.full ? answer.lastPollAt : answer.coveredFrom);
    if (lower === null) continue; // older than every valid trade of a pool's first full answer: before coverage
    const fromTs = Math.max(lower, answer.since);
    const toTs = trade.ts ?? trade.newerTs ?? answer.now;
    if (toTs < fromTs) continue;
    span = span === null ? { fromTs, toTs } : { fromTs: Math.min(span.fromTs, fromTs), toTs: Math.max(span.toTs, toTs) };
  }
  return span;
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
      ...(isSpan(value.rejected) ? { rejected: { fromTs: value.rejected.fromTs, toTs: value.rejected.toTs, attempts: value.rejected.attempts } } : {}),
    };
  } catch {
    return null;
  }
}

function isSpan(value: unknown): value is NonNullable<TradePollState['rejected']> {
  const v = value as TradePollState['rejected'];
  return typeof v === 'object' && v !== null && typeof v.fromTs === 'number' && typeof v.toTs === 'number' && typeof v.attempts === 'number';
}
