/**
 * Query parameters validated with zod; a bad one is a 400 whose message is one sentence naming the
 * parameter and what is allowed.
 */
import { z, type ZodRawShape } from 'zod';
import { TIMEFRAMES } from '../config/index.ts';
import { HttpError } from './http-error.ts';

const int = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < min || n > max) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `Query parameter ${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}.` });
        return z.NEVER;
      }
      return n;
    });

const flag = (name: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return undefined;
      if (['true', '1', 'yes'].includes(value)) return true;
      if (['false', '0', 'no'].includes(value)) return false;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `Query parameter ${name} must be true or false, got ${JSON.stringify(value)}.` });
      return z.NEVER;
    });

const text = (name: string, max = 200) =>
  z
    .string()
    .max(max, { message: `Query parameter ${name} must be at most ${max} characters long.` })
    .optional()
    .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const timeframe = z
  .string()
  .optional()
  .refine((value) => value === undefined || (TIMEFRAMES as readonly string[]).includes(value), (value) => ({
    message: `Query parameter timeframe must be one of ${TIMEFRAMES.join(', ')}, got ${JSON.stringify(value)}.`,
  }))
  .transform((value) => value as (typeof TIMEFRAMES)[number] | undefined);

export const runsQuery = z.object({ collector: text('collector'), limit: int('limit', 1, 1000, 50) });
export const poolsQuery = z.object({ watchlist: flag('watchlist'), q: text('q'), limit: int('limit', 1, 500, 100) });
export const ohlcvQuery = z.object({ timeframe, limit: int('limit', 1, 5000, 1000) });
export const gapsQuery = z.object({ open: flag('open'), pool: text('pool'), limit: int('limit', 1, 1000, 100) });
export const dashboardQuery = z.object({ q: text('q'), pool: text('pool'), timeframe, token: z.string().optional() });

/** Parses `params` with `schema`; unknown parameters and bad values become a 400. */
export function parseQuery<T extends ZodRawShape>(schema: z.ZodObject<T>, params: Record<string, string>): z.output<z.ZodObject<T>> {
  const allowed = Object.keys(schema.shape);
  const unknown = Object.keys(params).filter((key) => !allowed.includes(key));
  if (unknown.length) {
    throw new HttpError(400, 'bad_query', `Unknown query parameter ${unknown.map((k) => JSON.stringify(k)).join(', ')}; this route accepts ${allowed.filter((k) => k !== 'token').join(', ')}.`);
  }
  const result = schema.safeParse(params);
  if (!result.success) throw new HttpError(400, 'bad_query', result.error.issues[0]?.message ?? 'A query parameter is invalid.');
  return result.data;
}
