/**
 * Tolerant leaf types for the response schemas. The API has sent, over the years: null and "NaN"
 * for prices, numbers where strings were documented and the reverse, and window maps whose keys
 * change. Each type accepts all of that, normalises it, and rejects only what cannot be meant.
 *
 * Limitation: a decimal that arrives as a JSON number has already been through JSON.parse, so it
 * becomes its shortest round-trip JS string ("0.1", "1e-7"); digits beyond double precision are
 * lost. Real responses send decimals as strings; OHLCV rows, which are numbers, are read from the
 * raw text instead (number-lexemes.ts).
 *
 * zod/v4 (shipped inside zod 3.25): its transforms cost a tenth of v3's, which is what keeps
 * validating a 300-trade page within a few times JSON.parse (bench/parse.ts).
 */
import { z } from 'zod/v4';
import type { Decimal, TransactionCounts } from '../lib/records.ts';

const DECIMAL_TEXT = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER_TEXT = /^-?\d+$/;
/** ISO 8601 date-time; without a zone it is taken as UTC (the API's times are UTC). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
/** Far beyond the ~70 digits the API sends; anything longer is garbage, not a price. */
const MAX_DECIMAL_LENGTH = 1000;
/** Names, symbols, addresses, URLs: generous, but a megabyte "name" is not a name. */
const MAX_TEXT_LENGTH = 2048;

type Payload = z.core.ParsePayload;

function issue(ctx: Payload, input: unknown, message: string, path?: (string | number)[]): never {
  ctx.issues.push({ code: 'custom', message, input, ...(path ? { path } : {}) });
  return z.NEVER;
}

/** Decimal text exactly as sent; null for null, missing, "NaN" or "". Numbers → shortest JS text. */
export function toDecimal(value: unknown): Decimal | undefined {
  if (value === null || value === undefined || value === 'NaN' || value === '') return null;
  if (typeof value === 'string') return value.length <= MAX_DECIMAL_LENGTH && DECIMAL_TEXT.test(value) ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A decimal whose key must be present (its value may be null or "NaN"): a missing key is drift, not "no price". */
export const decimal = z.transform((value: unknown, ctx: Payload): Decimal => {
  if (value === undefined) return issue(ctx, value, 'missing');
  const result = toDecimal(value);
  return result === undefined ? issue(ctx, value, 'expected a decimal string, null or "NaN"') : result;
});

/** A decimal that older or newer responses may leave out: missing → null. */
export const optionalDecimal = z.transform((value: unknown, ctx: Payload): Decimal => {
  const result = toDecimal(value);
  return result === undefined ? issue(ctx, value, 'expected a decimal string, null or "NaN"') : result;
});

function toCount(value: unknown): number | null | undefined {
  if (value === null || value === undefined || value === 'NaN' || value === '') return null;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string' && INTEGER_TEXT.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

/** An integer (count, block number, token decimals), also when sent as text; null when absent. */
export const count = z.transform((value: unknown, ctx: Payload): number | null => {
  const result = toCount(value);
  return result === undefined ? issue(ctx, value, 'expected an integer or null') : result;
});

function toText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length <= MAX_TEXT_LENGTH ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A required string (a number is accepted as its text). */
export const text = z.transform((value: unknown, ctx: Payload): string => {
  if (value === undefined || value === null) return issue(ctx, value, 'missing');
  const result = toText(value);
  if (result === undefined) return issue(ctx, value, typeof value === 'string' ? `longer than ${MAX_TEXT_LENGTH} characters` : 'expected a string');
  return result;
});

/** A required, non-empty string. */
export const nonEmptyText = z.transform((value: unknown, ctx: Payload): string => {
  if (value === undefined || value === null) return issue(ctx, value, 'missing');
  const result = toText(value);
  if (result === undefined) return issue(ctx, value, typeof value === 'string' ? `longer than ${MAX_TEXT_LENGTH} characters` : 'expected a string');
  return result.length > 0 ? result : issue(ctx, value, 'empty');
});

/** An optional string: null when missing. */
export const optionalText = z.transform((value: unknown, ctx: Payload): string | null => {
  if (value === undefined || value === null) return null;
  const result = toText(value);
  if (result === undefined) return issue(ctx, value, typeof value === 'string' ? `longer than ${MAX_TEXT_LENGTH} characters` : 'expected a string or null');
  return result;
});

function toEpochSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string' || value.length > 64) return undefined;
  if (INTEGER_TEXT.test(value)) return toEpochSeconds(Number(value));
  const match = ISO_TIME.exec(value);
  if (!match) return undefined;
  const ms = Date.parse(match[1] ? value : `${value}Z`);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

/** An ISO 8601 time (or epoch seconds) → epoch seconds; required. */
export const epochSeconds = z.transform((value: unknown, ctx: Payload): number => {
  if (value === undefined || value === null) return issue(ctx, value, 'missing');
  const result = toEpochSeconds(value);
  return result === undefined ? issue(ctx, value, 'expected an ISO 8601 time') : result;
});

/** An ISO 8601 time (or epoch seconds) → epoch seconds; null when missing. */
export const optionalEpochSeconds = z.transform((value: unknown, ctx: Payload): number | null => {
  if (value === undefined || value === null) return null;
  const result = toEpochSeconds(value);
  return result === undefined ? issue(ctx, value, 'expected an ISO 8601 time or null') : result;
});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An open window map of decimals (`{ m5: "1.2", h24: null, … }`); null or missing → {}. */
export const decimalMap = z.transform((value: unknown, ctx: Payload): Record<string, Decimal> => {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) return issue(ctx, value, 'expected an object of time windows');
  const out: Record<string, Decimal> = {};
  for (const [key, raw] of Object.entries(value)) {
    const result = toDecimal(raw);
    if (result === undefined) return issue(ctx, value, 'expected a decimal string, null or "NaN"', [key]);
    out[key] = result;
  }
  return out;
});

const COUNT_KEYS = ['buys', 'sells', 'buyers', 'sellers'] as const;

/** An open window map of transaction counts; unknown count keys are dropped. */
export const transactionsMap = z.transform((value: unknown, ctx: Payload): Record<string, TransactionCounts> => {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) return issue(ctx, value, 'expected an object of time windows');
  const out: Record<string, TransactionCounts> = {};
  for (const [window, raw] of Object.entries(value)) {
    if (raw === null) {
      out[window] = {};
      continue;
    }
    if (!isPlainObject(raw)) return issue(ctx, value, 'expected an object of counts', [window]);
    const counts: TransactionCounts = {};
    for (const key of COUNT_KEYS) {
      if (!(key in raw)) continue;
      const result = toCount(raw[key]);
      if (result === undefined) return issue(ctx, value, 'expected an integer or null', [window, key]);
      counts[key] = result;
    }
    out[window] = counts;
  }
  return out;
});
