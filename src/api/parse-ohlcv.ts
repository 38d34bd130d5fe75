/**
 * The OHLCV endpoint → CandleRecord, keeping every digit: rows are read from the raw text with
 * their number lexemes (number-lexemes.ts), never through doubles.
 *
 * Suspicious candles are kept and flagged, never dropped: open outside [low, high] → flag 1,
 * close outside → flag 2. Rows sharing a timestamp are kept once, with flag 4; which one is kept
 * is deterministic: the larger volume, and on equal volume the row whose text
 * (`ts,open,high,low,close,volume`) is lexicographically larger. Candles come out oldest first.
 */
import Big from 'big.js';
import { z } from 'zod/v4';
import { InvalidResponseError } from './errors.ts';
import { quoteNumbers } from './number-lexemes.ts';
import { CANDLE_FLAGS, type CandleRecord, type Timeframe } from '../lib/records.ts';
import { placeRejections, type PlacedRejection } from './placed-rejections.ts';
import { dataObject, decodeDocument, excerpt, validateItem, type Rejection } from './validate.ts';

export interface CandlesPage {
  /** One candle per timestamp, oldest first. */
  candles: CandleRecord[];
  /** Rejected rows, placed in time (their intervals are not stored). */
  rejected: PlacedRejection[];
  /** Rows in `ohlcv_list`, valid or not. */
  rowCount: number;
  /** Oldest timestamp among valid rows: the next page's `before_timestamp`. Null when none. */
  oldestTs: number | null;
}

export interface OhlcvParseContext {
  poolId: string;
  timeframe: Timeframe;
  what: string;
}

const NUMBER_TEXT = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const MAX_LEXEME = 400;

function lexemeOf(valid: RegExp, problem: string) {
  return z.transform((value: unknown, ctx: z.core.ParsePayload): string => {
    if (typeof value === 'string' && value.length <= MAX_LEXEME && valid.test(value)) return value;
    ctx.issues.push({ code: 'custom', input: value, message: value === null || value === undefined ? 'missing' : problem });
    return z.NEVER;
  });
}

const lexeme = lexemeOf(NUMBER_TEXT, 'expected a number');
const timestamp = lexemeOf(/^\d{1,12}$/, 'expected a whole number of seconds');

/** `[ts, open, high, low, close, volume]`; extra trailing entries are ignored. */
const ohlcvRow = z.tuple([timestamp, lexeme, lexeme, lexeme, lexeme, lexeme], z.unknown());

/** a < b for decimal texts; doubles decide unless they tie, then big.js decides exactly. */
function less(a: string, b: string): boolean {
  if (a === b) return false;
  const x = Number(a);
  const y = Number(b);
  if (x !== y) return x < y;
  return new Big(a).lt(new Big(b));
}

function outside(value: string, low: string, high: string): boolean {
  return less(value, low) || less(high, value);
}

function rowText(c: CandleRecord): string {
  return `${c.ts},${c.open},${c.high},${c.low},${c.close},${c.volumeUsd}`;
}

/** Whether `a` wins over `b` for the same timestamp (see the module comment). */
function preferred(a: CandleRecord, b: CandleRecord): boolean {
  if (less(b.volumeUsd, a.volumeUsd)) return true;
  if (less(a.volumeUsd, b.volumeUsd)) return false;
  return rowText(a) > rowText(b);
}

function ohlcvList(doc: Record<string, unknown>, what: string): unknown[] {
  const attributes = dataObject(doc, what).attributes;
  const list = typeof attributes === 'object' && attributes !== null ? (attributes as { ohlcv_list?: unknown }).ohlcv_list : undefined;
  if (!Array.isArray(list)) throw new InvalidResponseError(`${what} returned no "data.attributes.ohlcv_list" list (got ${excerpt(list)}).`);
  return list;
}

export function parseOhlcvPage(body: string, context: OhlcvParseContext): CandlesPage {
  const rows = ohlcvList(decodeDocument(quoteNumbers(body), context.what), context.what);
  const rejected: Rejection[] = [];
  const byTs = new Map<number, CandleRecord>();
  /** Timestamp of each row in list order: null for a rejected row. */
  const listed: (number | null)[] = [];
  rows.forEach((row, index) => {
    const result = validateItem(row, ohlcvRow, `data.attributes.ohlcv_list[${index}]`);
    if (!result.ok) {
      listed.push(null);
      rejected.push({ index, reason: result.reason });
      return;
    }
    listed.push(Number(result.value[0]));
    const [ts, open, high, low, close, volumeUsd] = result.value;
    let flags = 0;
    if (outside(open, low, high)) flags |= CANDLE_FLAGS.openOutsideRange;
    if (outside(close, low, high)) flags |= CANDLE_FLAGS.closeOutsideRange;
    const candle: CandleRecord = { poolId: context.poolId, timeframe: context.timeframe, ts: Number(ts), open, high, low, close, volumeUsd, flags };
    const existing = byTs.get(candle.ts);
    if (existing) {
      const kept = preferred(candle, existing) ? candle : existing;
      kept.flags |= CANDLE_FLAGS.duplicateTimestamp;
      byTs.set(candle.ts, kept);
    } else {
      byTs.set(candle.ts, candle);
    }
  });
  const placed = placeRejections(rejected, listed, (index) => {
    const row = rows[index];
    const ts = Array.isArray(row) ? timestamp.safeParse(row[0]) : undefined;
    return ts?.success ? Number(ts.data) : undefined;
  });
  const candles = [...byTs.values()].sort((a, b) => a.ts - b.ts);
  return { candles, rejected: placed, rowCount: rows.length, oldestTs: candles[0]?.ts ?? null };
}
