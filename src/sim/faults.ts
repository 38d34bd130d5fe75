import type { Clock } from '../lib/clock.ts';
import { hashInts, unitFromHash } from './prng.ts';

/**
 * Injected faults, switchable at runtime. One fault is active at a time; it can expire
 * (`durationMs`, simulated time), hit only a share of requests (`rate`, decided by a seeded
 * sequence so runs repeat) and only paths matching a regular expression (`paths`).
 */
export const FAULT_MODES = ['none', '429', '429-retry-after', '5xx', 'hang', 'slow', 'malformed', 'drift', 'unreachable'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export const DRIFT_VARIANTS = ['mixed', 'extra', 'types', 'rename', 'remove', 'corrupt-item'] as const;
export const MALFORMED_VARIANTS = ['mixed', 'truncated', 'html', 'empty', 'garbage'] as const;

export interface FaultSpec {
  mode: FaultMode;
  /** Clears itself after this much simulated time. */
  durationMs?: number;
  /** For 429-retry-after: the Retry-After header in seconds (default 5). */
  retryAfterS?: number;
  /** For slow: real milliseconds to wait before answering (default 2000). */
  delayMs?: number;
  /** Share of matching requests affected, 0..1 (default 1). */
  rate?: number;
  /** Regular expression tested against the request path and query. */
  paths?: string;
  /** For 5xx: the status (default: 500, 502, 503, 504 in turn). */
  status?: number;
  /** For drift and malformed: one kind (default "mixed": they vary request by request). */
  variant?: string;
}

export interface ActiveFault extends FaultSpec {
  /** Simulated time it was set, and when it expires (null = until changed). */
  since: number;
  until: number | null;
}

export class FaultSpecError extends Error {}

export class FaultController {
  private active: ActiveFault | undefined;
  private pathPattern: RegExp | undefined;
  private sequence = 0;

  constructor(private readonly clock: Clock) {}

  /** Replaces the active fault (mode "none" clears it). Throws FaultSpecError on a bad spec. */
  set(spec: FaultSpec): ActiveFault | null {
    const checked = validate(spec);
    this.sequence = 0;
    if (checked.mode === 'none') {
      this.clear();
      return null;
    }
    const since = this.clock.now();
    this.pathPattern = checked.paths !== undefined ? new RegExp(checked.paths) : undefined;
    this.active = { ...checked, since, until: checked.durationMs !== undefined ? since + checked.durationMs : null };
    return { ...this.active };
  }

  clear(): void {
    this.active = undefined;
    this.pathPattern = undefined;
  }

  /** The active fault, if it has not expired. */
  current(): ActiveFault | null {
    if (this.active && this.active.until !== null && this.clock.now() >= this.active.until) this.clear();
    return this.active ? { ...this.active } : null;
  }

  /** The fault to apply to a request for `path`, with its sequence number, or undefined. */
  pick(path: string): { fault: ActiveFault; seq: number } | undefined {
    const fault = this.current();
    if (!fault || (this.pathPattern && !this.pathPattern.test(path))) return undefined;
    const seq = this.sequence++;
    const rate = fault.rate ?? 1;
    if (rate < 1 && unitFromHash(hashInts(0xfa17, seq)) >= rate) return undefined;
    return { fault, seq };
  }
}

function validate(spec: FaultSpec): FaultSpec {
  if (typeof spec !== 'object' || spec === null) throw new FaultSpecError('fault must be a JSON object');
  if (!FAULT_MODES.includes(spec.mode)) throw new FaultSpecError(`mode must be one of ${FAULT_MODES.join(', ')}`);
  const nonNegative = (key: keyof FaultSpec): void => {
    const value = spec[key];
    if (value !== undefined && !(typeof value === 'number' && value >= 0)) throw new FaultSpecError(`${key} must be a number >= 0`);
  };
  nonNegative('durationMs');
  nonNegative('retryAfterS');
  nonNegative('delayMs');
  if (spec.rate !== undefined && !(typeof spec.rate === 'number' && spec.rate >= 0 && spec.rate <= 1)) throw new FaultSpecError('rate must be between 0 and 1');
  if (spec.status !== undefined && !(Number.isInteger(spec.status) && spec.status >= 500 && spec.status <= 599)) throw new FaultSpecError('status must be 500..599');
  if (spec.paths !== undefined) {
    try {
      new RegExp(spec.paths);
    } catch {
      throw new FaultSpecError(`paths is not a valid regular expression: ${spec.paths}`);
    }
  }
  const variants: readonly string[] | undefined = spec.mode === 'drift' ? DRIFT_VARIANTS : spec.mode === 'malformed' ? MALFORMED_VARIANTS : undefined;
  if (spec.variant !== undefined && !variants?.includes(spec.variant)) {
    throw new FaultSpecError(`variant for ${spec.mode} must be one of ${(variants ?? []).join(', ') || '(none)'}`);
  }
  return spec;
}
