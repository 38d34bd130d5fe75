/** The simulator's accelerated clock is the general one in lib (shared with `gtc start`'s harness hook). */
export { ScaledClock } from '../lib/clock.ts';
