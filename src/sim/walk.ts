import { gaussianFromHash, hashInts } from './prng.ts';

/**
 * Random-access price walks: log price is a sum of value-noise octaves (periods from one minute
 * to months, amplitudes growing like a Brownian motion's), so the price at any instant is a pure
 * function of (seed, key, time) and needs no history — any window can be generated alone.
 */
const MINUTE = 60_000;
const DAY = 86_400_000;
const OCTAVES = 10;
const PERIODS: number[] = Array.from({ length: OCTAVES }, (_, j) => MINUTE * 4 ** j);
/** Amplitudes stop growing after 30 days so month-old prices stay plausible. */
const AMPLITUDES: number[] = PERIODS.map((p) => 0.5 * Math.sqrt(Math.min(p, 30 * DAY) / DAY));

function smoothstep(x: number): number {
  return x * x * (3 - 2 * x);
}

/**
 * Lattice values are pure functions of their key, so a direct-mapped cache is safe; nearby
 * instants share most octaves' lattice points, which makes consecutive trades cheap.
 */
const CACHE_SIZE = 1 << 16;
const cacheKeys = new Int32Array(CACHE_SIZE * 4).fill(-1);
const cacheValues = new Float64Array(CACHE_SIZE);

function lattice(seedHash: number, keyHash: number, octave: number, k: number): number {
  const slot = (Math.imul(keyHash ^ seedHash, 0x9e3779b1) ^ Math.imul(k, 0x85ebca6b) ^ Math.imul(octave + 1, 0xc2b2ae35)) >>> 16;
  const at = slot * 4;
  if (cacheKeys[at] === (seedHash | 0) && cacheKeys[at + 1] === (keyHash | 0) && cacheKeys[at + 2] === octave && cacheKeys[at + 3] === (k | 0)) {
    return cacheValues[slot] as number;
  }
  const value = gaussianFromHash(hashInts(seedHash, keyHash, octave, k));
  cacheKeys[at] = seedHash | 0;
  cacheKeys[at + 1] = keyHash | 0;
  cacheKeys[at + 2] = octave;
  cacheKeys[at + 3] = k | 0;
  cacheValues[slot] = value;
  return value;
}

/** Zero-mean noise with roughly `sigmaPerDay` standard deviation of one-day log changes. */
export function walkLog(seedHash: number, keyHash: number, tMs: number, sigmaPerDay: number): number {
  let sum = 0;
  for (let j = 0; j < OCTAVES; j++) {
    const period = PERIODS[j] as number;
    const position = tMs / period;
    const k = Math.floor(position);
    const f = smoothstep(position - k);
    const a = lattice(seedHash, keyHash, j, k);
    const b = lattice(seedHash, keyHash, j, k + 1);
    sum += (AMPLITUDES[j] as number) * (a + (b - a) * f);
  }
  return sum * sigmaPerDay;
}

/** The walk's multiplier at `tMs`: exp(noise), centred so the typical price is `start`. */
export function walkPrice(seedHash: number, keyHash: number, tMs: number, start: number, sigmaPerDay: number): number {
  return start * Math.exp(walkLog(seedHash, keyHash, tMs, sigmaPerDay));
}
