/**
 * Exact decimals for the simulator's ground truth: value = m / 10^s with a BigInt mantissa.
 * The API writes prices with up to ~70 significant digits; they come out of exact products of
 * shorter decimals here (as they do upstream), never from a float's toString.
 */
export interface Dec {
  readonly m: bigint;
  readonly s: number;
}

const TEN = 10n;

const POW10: bigint[] = Array.from({ length: 160 }, (_, i) => TEN ** BigInt(i));

export function pow10(n: number): bigint {
  return POW10[n] ?? TEN ** BigInt(n);
}

/** Drops trailing zero digits after the point (the value is unchanged). */
export function normalize(a: Dec): Dec {
  let { m, s } = a;
  while (s > 0 && m % TEN === 0n) {
    m /= TEN;
    s -= 1;
  }
  return { m, s };
}

/** Parses a plain decimal string ("-12.034"); no exponent. */
export function decFromString(text: string): Dec {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new Error(`not a plain decimal: ${text}`);
  const fraction = match[3] ?? '';
  const m = BigInt(`${match[2]}${fraction}`);
  return normalize({ m: match[1] ? -m : m, s: fraction.length });
}

/** The exact value of a finite double (e.g. 212.61816 has 45 decimal places). */
export function decFromDoubleExact(x: number): Dec {
  if (!Number.isFinite(x)) throw new Error(`not finite: ${x}`);
  if (x === 0) return { m: 0n, s: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  const mantissa = exponentBits === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (exponentBits === 0 ? 1 : exponentBits) - 1075;
  const sign = x < 0 ? -1n : 1n;
  if (exponent >= 0) return { m: sign * (mantissa << BigInt(exponent)), s: 0 };
  return normalize({ m: sign * mantissa * 5n ** BigInt(-exponent), s: -exponent });
}

/**
 * A positive double rounded to about `digits` significant digits (at most 15), as an exact
 * decimal. Arithmetic instead of toExponential: it is on the trade generator's hot path, and
 * only determinism matters here, not the last digit's correct rounding.
 */
export function decFromDoublePrecision(x: number, digits: number): Dec {
  if (!(x > 0) || !Number.isFinite(x)) {
    if (x === 0) return { m: 0n, s: 0 };
    throw new Error(`decFromDoublePrecision needs a positive finite number, got ${x}`);
  }
  let scale = Math.min(digits, 15) - 1 - Math.floor(Math.log10(x));
  let m = scale >= 0 ? Math.round(x * 10 ** scale) : Math.round(x / 10 ** -scale);
  while (m >= 1e15) {
    m = Math.round(m / 10);
    scale -= 1;
  }
  while (scale > 0 && m % 10 === 0) {
    m /= 10;
    scale -= 1;
  }
  if (scale >= 0) return { m: BigInt(m), s: scale };
  return { m: BigInt(m) * pow10(-scale), s: 0 };
}

export function decFromBigInt(m: bigint, s: number): Dec {
  return normalize({ m, s });
}

function rescale(a: Dec, s: number): bigint {
  return a.m * pow10(s - a.s);
}

/** The value truncated (or zero-extended) to exactly `scale` decimal places, not normalised. */
export function decAtScale(a: Dec, scale: number): Dec {
  if (a.s === scale) return a;
  if (a.s < scale) return { m: a.m * pow10(scale - a.s), s: scale };
  return { m: a.m / pow10(a.s - scale), s: scale };
}

export function decAdd(a: Dec, b: Dec): Dec {
  if (a.s === b.s) return { m: a.m + b.m, s: a.s };
  const s = Math.max(a.s, b.s);
  return { m: rescale(a, s) + rescale(b, s), s };
}

export function decSub(a: Dec, b: Dec): Dec {
  const s = Math.max(a.s, b.s);
  return { m: rescale(a, s) - rescale(b, s), s };
}

/** Exact product (scales add up, as do the digits). */
export function decMul(a: Dec, b: Dec): Dec {
  return normalize({ m: a.m * b.m, s: a.s + b.s });
}

/** a / b truncated to `scale` decimal places. */
export function decDiv(a: Dec, b: Dec, scale: number): Dec {
  if (b.m === 0n) throw new Error('division by zero');
  const numerator = a.m * pow10(scale + b.s);
  const denominator = b.m * pow10(a.s);
  return normalize({ m: numerator / denominator, s: scale });
}

/** Rounds half away from zero to `scale` decimal places. */
export function decRound(a: Dec, scale: number): Dec {
  if (a.s <= scale) return a;
  const divisor = pow10(a.s - scale);
  const half = divisor / 2n;
  const m = a.m >= 0n ? (a.m + half) / divisor : (a.m - half) / divisor;
  return normalize({ m, s: scale });
}

export function decCompare(a: Dec, b: Dec): number {
  const s = Math.max(a.s, b.s);
  const x = rescale(a, s);
  const y = rescale(b, s);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function decIsZero(a: Dec): boolean {
  return a.m === 0n;
}

/** Plain notation as the API writes it: "0.000123", "1.0", "26713.56172". */
export function decToString(a: Dec): string {
  const n = normalize(a);
  const negative = n.m < 0n;
  const digits = (negative ? -n.m : n.m).toString().padStart(n.s + 1, '0');
  const integer = digits.slice(0, digits.length - n.s);
  const fraction = n.s > 0 ? digits.slice(digits.length - n.s) : '0';
  return `${negative ? '-' : ''}${integer}.${fraction}`;
}

/** The double nearest to the decimal, written as a JSON number lexeme (see plainNumberLexeme). */
export function decToNumberLexeme(a: Dec): string {
  return plainNumberLexeme(decToDouble(a));
}

/**
 * The shortest digits that round-trip the double, in plain (non-exponent) notation, the way the
 * API writes OHLCV numbers: 0.00001613691542742065, 941.0332575772828.
 */
export function plainNumberLexeme(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`not finite: ${x}`);
  if (Number.isInteger(x) && Math.abs(x) < 1e21) return String(x);
  const [coefficient = '0', exponentText = '0'] = x.toExponential().split('e');
  const negative = coefficient.startsWith('-');
  const digits = coefficient.replace('-', '').replace('.', '');
  const pointAt = Number(exponentText) + 1;
  let text: string;
  if (pointAt <= 0) text = `0.${'0'.repeat(-pointAt)}${digits}`;
  else if (pointAt >= digits.length) text = digits + '0'.repeat(pointAt - digits.length);
  else text = `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  return negative ? `-${text}` : text;
}

/** The double nearest to the decimal (Number parses the exponent form with correct rounding). */
export function decToDouble(a: Dec): number {
  return Number(`${a.m}e-${a.s}`);
}
