/**
 * Deterministic randomness for the simulated market. Every random value is derived from the seed
 * and a key naming what it is for (pool, window, octave…), never from a shared stream, so any
 * part of the market can be computed alone, in any order, and always comes out the same.
 */

/** 32-bit avalanche mix (murmur3 finaliser). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a string to 32 bits (FNV-1a, then mixed). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** Hashes a list of 32-bit integers (any JS numbers are truncated to 32 bits) to 32 bits. */
export function hashInts(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = fmix32(h ^ fmix32((part | 0) + 0x7f4a7c15));
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return fmix32(h);
}

/** A uniform value in [0, 1) from a 32-bit hash. */
export function unitFromHash(h: number): number {
  return (h >>> 0) / 4294967296;
}

/** Small fast generator (sfc32) seeded from a key; one instance per independent purpose. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...key: (string | number)[]) {
    const text = key.join('|');
    this.a = hashString(`a${text}`);
    this.b = hashString(`b${text}`);
    this.c = hashString(`c${text}`);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A generator keyed by 32-bit integers (cheaper than a string key on hot paths). */
  static fromInts(...key: number[]): Rng {
    const rng = new Rng('');
    rng.a = hashInts(...key, 0xa);
    rng.b = hashInts(...key, 0xb);
    rng.c = hashInts(...key, 0xc);
    rng.d = 1;
    for (let i = 0; i < 12; i++) rng.nextUint32();
    return rng;
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in (0, 1], safe for logarithms. */
  nextOpen(): number {
    return (this.nextUint32() + 1) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** Standard normal (Box–Muller). */
  gaussian(): number {
    return Math.sqrt(-2 * Math.log(this.nextOpen())) * Math.cos(2 * Math.PI * this.next());
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -Math.log(this.nextOpen()) * mean;
  }

  /** A string of `length` characters drawn from `alphabet` (several characters per 32-bit draw). */
  chars(alphabet: string, length: number): string {
    const base = alphabet.length;
    const perDraw = Math.floor(32 / Math.log2(base));
    let out = '';
    while (out.length < length) {
      let value = this.nextUint32();
      for (let i = 0; i < perDraw && out.length < length; i++) {
        out += alphabet[value % base];
        value = Math.floor(value / base);
      }
    }
    return out;
  }
}

/** Standard normal from a hash (used by the price walks, which must be random-access). */
export function gaussianFromHash(h: number): number {
  const u1 = (fmix32(h ^ 0x68e31da4) + 1) / 4294967297;
  const u2 = unitFromHash(fmix32(h ^ 0xb5297a4d));
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
export const HEX = '0123456789abcdef';
