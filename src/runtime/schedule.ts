/**
 * Schedule arithmetic shared by every process: slots sit on a grid of the configured interval
 * from the epoch, so every process computes the same slot for the same instance name and time,
 * whatever its own (adaptive) interval or start time.
 */

/** The start of the slot containing `time`: floor(time / interval) × interval. */
export function slotStart(time: number, configuredIntervalMs: number): number {
  return Math.floor(time / configuredIntervalMs) * configuredIntervalMs;
}

/**
 * When the run after the one scheduled in `lastSlot` is due: one (adaptive) interval after that
 * slot's start. A caller that finds this in the past runs once now — one catch-up run, never a
 * burst of the slots that were missed.
 */
export function nextScheduledTime(lastSlot: number, effectiveIntervalMs: number): number {
  return lastSlot + effectiveIntervalMs;
}

/** Random delay added to a scheduled wake-up so processes and instances do not all fire at once. */
export function jitterFor(configuredIntervalMs: number, maxJitterMs: number, random: () => number = Math.random): number {
  const span = Math.min(maxJitterMs, configuredIntervalMs * 0.1);
  return Math.floor(random() * Math.max(0, span));
}
