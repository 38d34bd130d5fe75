/**
 * Reading a response: the whole document must be JSON with the expected top level (else the page
 * is an InvalidResponseError), then each item is validated on its own. An invalid item becomes a
 * Rejection with a reason naming the path, the problem and what was there; the rest are kept.
 */
import type { z } from 'zod/v4';
import { InvalidResponseError } from './errors.ts';

/** One item the API sent that failed validation. `index` is its position in `data` or `included`. */
export interface Rejection {
  index: number;
  id?: string;
  /** `<path>: <problem> (got <excerpt>)`, e.g. `data[3].attributes.fdv_usd: expected a decimal string, null or "NaN" (got {"x":1})`. */
  reason: string;
}

const EXCERPT_MAX = 80;

/** A short, single-line rendering of a value for error messages (at most 80 characters). */
export function excerpt(value: unknown): string {
  let out: string;
  if (value === undefined) out = 'nothing';
  else if (typeof value === 'string') out = JSON.stringify(value.length > EXCERPT_MAX ? value.slice(0, EXCERPT_MAX) : value);
  else {
    try {
      out = JSON.stringify(value) ?? String(value);
    } catch {
      out = String(value);
    }
  }
  return out.length > EXCERPT_MAX ? `${out.slice(0, EXCERPT_MAX - 3)}...` : out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses the body as JSON whose top level is an object; anything else is an InvalidResponseError. */
export function decodeDocument(body: string, what: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0]!.slice(0, 100) : 'unparseable';
    throw new InvalidResponseError(`${what} returned a body that is not valid JSON (${detail}; ${body.length} bytes).`);
  }
  if (!isRecord(doc)) throw new InvalidResponseError(`${what} returned JSON whose top level is not an object (got ${excerpt(doc)}).`);
  return doc;
}

/** `doc.data` as a list (a list endpoint), or an InvalidResponseError. */
export function dataList(doc: Record<string, unknown>, what: string): unknown[] {
  const data = doc.data;
  if (!Array.isArray(data)) throw new InvalidResponseError(`${what} returned no "data" list (got ${excerpt(data)}).`);
  return data;
}

/** `doc.data` as one object (a single-resource endpoint), or an InvalidResponseError. */
export function dataObject(doc: Record<string, unknown>, what: string): Record<string, unknown> {
  const data = doc.data;
  if (!isRecord(data)) throw new InvalidResponseError(`${what} returned no "data" object (got ${excerpt(data)}).`);
  return data;
}

/** `doc.included` as a list; a missing or non-list `included` is treated as empty. */
export function includedList(doc: Record<string, unknown>): unknown[] {
  return Array.isArray(doc.included) ? doc.included : [];
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string') out += /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
    else out += `[${String(key)}]`;
  }
  return out;
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function problem(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === 'invalid_type') return value === undefined ? 'missing' : `expected ${issue.expected}, got ${kindOf(value)}`;
  return issue.message;
}

/** The reason for a rejection: first issue's path from the document root, problem, and excerpt. */
export function rejectionReason(prefix: string, item: unknown, error: z.ZodError): string {
  const first = error.issues[0];
  if (!first) return `${prefix}: invalid (got ${excerpt(item)})`;
  const value = valueAt(item, first.path);
  return `${formatPath(prefix, first.path)}: ${problem(first, value)} (got ${excerpt(value)})`;
}

/** The item's id when it has a usable one, for the rejection record. */
export function itemId(item: unknown): string | undefined {
  if (!isRecord(item)) return undefined;
  const id = item.id;
  return typeof id === 'string' && id.length > 0 ? id.slice(0, 200) : undefined;
}

/** A reason for an item that passed the schema but breaks a rule across fields. */
export function ruleReason(prefix: string, path: readonly PropertyKey[], message: string, value: unknown): string {
  return `${formatPath(prefix, path)}: ${message} (got ${excerpt(value)})`;
}

/** Validates one item; on failure, the reason (with `prefix` as the path root, e.g. `included[4]`). */
export function validateItem<S extends z.ZodType>(item: unknown, schema: S, prefix: string): { ok: true; value: z.output<S> } | { ok: false; reason: string } {
  const result = schema.safeParse(item);
  return result.success ? { ok: true, value: result.data } : { ok: false, reason: rejectionReason(prefix, item, result.error) };
}

/**
 * Validates each item of `items` with `schema`. Valid items are returned with their index;
 * each invalid one is appended to `rejected` with its reason.
 */
export function validateEach<S extends z.ZodType>(
  items: readonly unknown[],
  schema: S,
  section: 'data' | 'included',
  rejected: Rejection[],
): { index: number; value: z.output<S> }[] {
  const valid: { index: number; value: z.output<S> }[] = [];
  items.forEach((item, index) => {
    const result = validateItem(item, schema, `${section}[${index}]`);
    if (result.ok) valid.push({ index, value: result.value });
    else rejected.push(withId({ index, reason: result.reason }, itemId(item)));
  });
  return valid;
}

/** A rejection with its `id` set only when there is one. */
export function withId(rejection: Rejection, id: string | undefined): Rejection {
  return id === undefined ? rejection : { ...rejection, id };
}
