/**
 * The rate the limiter allows: the configured one, lowered by 429s and climbing back. A 429 lowers
 * it once per round (multiplicative decrease; a refusal of a call sent before the last decrease
 * was paced by the old rate and carries no news), down to a floor: half the configured rate by
 * default. Deeper than that a storm that refuses every call teaches nothing more about our rate,
 * and the lowered rate is also how often the storm is asked whether it is over — at half of 30/min,
 * every 4 s, so its end is seen within seconds, not a 30 s floor interval later. It climbs back on answers, as
 * TCP's window does on acknowledgements: the first answer brings it straight back to the rate of
 * the first decrease (refusals below that rate said nothing about our rate: the storm refused
 * every call — TCP's fast recovery), then a tenth of the configured rate per call; with no answers
 * at all, by time after a quiet hold.
 */
const MINUTE = 60_000;

export interface AdaptiveRateOptions {
  /** Requests per minute when nothing is refused. */
  configured: number;
  /** Rate multiplier on each 429 (default 0.5). */
  decreaseFactor?: number;
  /** Floor of the lowered rate (default half the configured rate). */
  minRequestsPerMinute?: number;
  /** With no answered calls, how long the lowered rate holds before it climbs back by time. */
  recoveryHoldMs?: number;
  /** Rate regained per minute after the hold; default half the configured rate. */
  increasePerMinute?: number;
  /** Rate regained per answered call past the slow-start threshold; default a tenth of the configured rate. */
  increasePerAnswer?: number;
  /** Called when a 429 lowers the rate or the rate is fully restored. */
  onRateChange?: (event: { requestsPerMinute: number; reason: 'rate-limited' | 'recovered' }) => void;
}

export class AdaptiveRate {
  private readonly configured: number;
  private readonly decreaseFactor: number;
  private readonly minRate: number;
  private readonly holdMs: number;
  private readonly increasePerMinute: number;
  private readonly increasePerAnswer: number;
  private lowered: { rate: number; at: number } | null = null;
  /** When the rate was last decreased: refusals of calls sent before then are not counted again. */
  private decreasedAt = -Infinity;
  /** An answered call brings the lowered rate back up to this (half the rate the first 429 hit), then adds increasePerAnswer. */
  private slowStartUpTo = 0;
  /** A call was refused since the last answer: the next answer ends a storm. */
  private refusedSinceAnswer = false;

  constructor(private readonly options: AdaptiveRateOptions) {
    this.configured = options.configured;
    this.decreaseFactor = options.decreaseFactor ?? 0.5;
    this.minRate = Math.min(this.configured, options.minRequestsPerMinute ?? this.configured / 2);
    this.holdMs = options.recoveryHoldMs ?? MINUTE;
    // Climbing by time is for a quiet process (no answers to learn from): brisk, back within minutes.
    this.increasePerMinute = options.increasePerMinute ?? this.configured / 2;
    this.increasePerAnswer = options.increasePerAnswer ?? this.configured / 10;
  }

  /** Whether 429s have lowered the rate (it is climbing back). */
  get isLowered(): boolean {
    return this.lowered !== null;
  }

  /** The allowed rate at `now`: configured, or lowered and climbing back after the hold. */
  at(now: number): number {
    if (!this.lowered) return this.configured;
    const climbing = now - this.lowered.at - this.holdMs;
    if (climbing <= 0) return this.lowered.rate;
    const rate = this.lowered.rate + (this.increasePerMinute * climbing) / MINUTE;
    if (rate < this.configured) return rate;
    this.restore();
    return this.configured;
  }

  /** A 429 for a call sent at `sentAt`: lowered, once per round. Returns the rate now. */
  rateLimited(now: number, sentAt?: number): number {
    const before = this.at(now);
    this.refusedSinceAnswer = true;
    if (sentAt !== undefined && sentAt < this.decreasedAt) return before;
    const rate = Math.max(this.minRate, before * this.decreaseFactor);
    // Deeper in a storm the threshold stays: refusals below it say nothing about the rate the server allows once the storm is over.
    if (!this.lowered || before > this.slowStartUpTo) this.slowStartUpTo = rate;
    this.lowered = { rate, at: now };
    this.decreasedAt = now;
    this.options.onRateChange?.({ requestsPerMinute: rate, reason: 'rate-limited' });
    return rate;
  }

  /**
   * The API answered a call (anything but a 429 or a 5xx): a lowered rate climbs back. True when
   * this answer ended a storm (calls were refused since the last answer).
   */
  answered(now: number): boolean {
    const stormOver = this.refusedSinceAnswer;
    this.refusedSinceAnswer = false;
    if (!this.lowered) return false;
    const rate = this.at(now);
    if (!this.lowered) return false; // climbed back by time just now
    const next = rate < this.slowStartUpTo ? this.slowStartUpTo : rate + this.increasePerAnswer;
    if (next < this.configured) this.lowered = { rate: next, at: now };
    else this.restore();
    return stormOver;
  }

  private restore(): void {
    this.lowered = null;
    this.options.onRateChange?.({ requestsPerMinute: this.configured, reason: 'recovered' });
  }
}
