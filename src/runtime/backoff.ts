/**
 * Delay before retry number `attempt` (1 = the first retry after a failure): base, 2×base,
 * 4×base… never above `cap`. With the default [2s, 60s]: 2 s, 4 s, 8 s, 16 s, 32 s, 60 s, 60 s…
 * Retries of one instance are rare and single, so no jitter is needed to spread a herd.
 */
export function retryDelay(attempt: number, [base, cap]: readonly [number, number]): number {
  const step = Math.max(1, Math.floor(attempt));
  // 2 ** 30 already exceeds any sensible cap; clamping the exponent keeps the product finite.
  const delay = base * 2 ** Math.min(step - 1, 30);
  return Math.min(delay, Math.max(cap, base));
}
