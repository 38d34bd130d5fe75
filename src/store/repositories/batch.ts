/**
 * Batched, idempotent writes shared by every repository: records are converted to column values
 * from a table description, de-duplicated by key (last wins — PostgreSQL rejects a statement that
 * touches one key twice), and written as multi-row `INSERT … ON CONFLICT` statements.
 *
 * Chunks stay under SQLite's 32766 bound variables. Chunk sizes are the largest that fits and
 * powers of two below it, so a table has ~12 statement shapes at most: each is compiled by Kysely
 * once per store and, on SQLite, prepared once by better-sqlite3.
 */
import { sql, type Kysely } from 'kysely';
import { GtcError } from '../../lib/errors.ts';
import type { TableName } from '../schema.ts';
import type { RepoContext } from './context.ts';

export const MAX_BOUND_VARIABLES = 32766;

/**
 * decimal: string lexeme or NULL ("NaN", "" and undefined too); int: safe integer or NULL;
 * json: JSON text of an object; bool: 0/1; text: string or NULL.
 */
export type ColumnKind = 'text' | 'int' | 'decimal' | 'json' | 'bool';

export interface ColumnSpec<R> {
  column: string;
  field: keyof R & string;
  kind: ColumnKind;
}

export interface TableSpec<R> {
  table: TableName;
  columns: readonly ColumnSpec<R>[];
  key: readonly string[];
  /** 'update': last write wins; 'ignore': existing rows are kept (immutable facts such as trades). */
  onConflict: 'update' | 'ignore';
  /** Columns kept as first written when a row is updated (e.g. added_at). */
  keepOnUpdate?: readonly string[];
  /** Update only when the incoming row's value of this column is >= the stored one. */
  newerOrEqual?: string;
}

/** Decimal lexemes the API sends; exponents are accepted but PostgreSQL NUMERIC expands them. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function toDecimal(value: unknown, where: string): string | null {
  if (value === null || value === undefined || value === '' || value === 'NaN') return null;
  if (typeof value === 'string' && DECIMAL.test(value)) return value;
  throw new GtcError('bad-data', `${where}: expected a decimal string, got ${JSON.stringify(value)}`);
}

export function toInt(value: unknown, where: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw new GtcError('bad-data', `${where}: expected an integer, got ${JSON.stringify(value)}`);
}

function convert(kind: ColumnKind, value: unknown, where: string): unknown {
  switch (kind) {
    case 'decimal': return toDecimal(value, where);
    case 'int': return toInt(value, where);
    case 'json': return JSON.stringify(value ?? {});
    case 'bool': return value ? 1 : 0;
    case 'text': return value ?? null;
  }
}

/** A database row (snake_case) back to its record (camelCase) by the same description. */
export function fromRow<R>(spec: Pick<TableSpec<R>, 'columns'>, row: Record<string, unknown>): R {
  const record: Record<string, unknown> = {};
  for (const { column, field, kind } of spec.columns) {
    const value = row[column];
    if (kind === 'json') record[field] = typeof value === 'string' ? JSON.parse(value) : (value ?? {});
    else if (kind === 'bool') record[field] = Boolean(value);
    else if (kind === 'int') record[field] = value === null || value === undefined ? null : Number(value);
    else record[field] = value ?? null;
  }
  return record as R;
}

/** Chunk sizes for `count` rows: full chunks of `max`, then descending powers of two. */
export function chunkSizes(count: number, max: number): number[] {
  const sizes: number[] = [];
  let left = count;
  while (left > 0) {
    const size = left >= max ? max : 2 ** Math.floor(Math.log2(left));
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

// A generic, table-driven builder: column names come from TableSpec, not from the typed schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type UntypedDb = Kysely<any>;

function compileInsert<R>(ctx: RepoContext, spec: TableSpec<R>, rows: number): string {
  const cacheKey = `${spec.table}|${spec.onConflict}|${rows}`;
  const cached = ctx.sqlCache.get(cacheKey);
  if (cached) return cached;
  const columns = spec.columns.map((c) => c.column);
  const placeholder = Object.fromEntries(columns.map((c) => [c, null]));
  const db = ctx.db as unknown as UntypedDb;
  const insert = db.insertInto(spec.table).values(Array.from({ length: rows }, () => placeholder));
  const keep = new Set([...spec.key, ...(spec.keepOnUpdate ?? [])]);
  const query = insert.onConflict((oc) => {
    const target = oc.columns(spec.key as string[]);
    if (spec.onConflict === 'ignore') return target.doNothing();
    const set = Object.fromEntries(columns.filter((c) => !keep.has(c)).map((c) => [c, sql.ref(`excluded.${c}`)]));
    const update = target.doUpdateSet(set);
    const newer = spec.newerOrEqual;
    return newer ? update.where(sql<boolean>`${sql.ref(`excluded.${newer}`)} >= ${sql.ref(`${spec.table}.${newer}`)}`) : update;
  });
  const compiled = query.compile();
  if (compiled.parameters.length !== rows * columns.length) {
    throw new GtcError('bug', `compiled insert into ${spec.table} has ${compiled.parameters.length} parameters, expected ${rows * columns.length}`);
  }
  ctx.sqlCache.set(cacheKey, compiled.sql);
  return compiled.sql;
}

/**
 * Converts, de-duplicates (last wins) and flattens records to one parameter list in column order.
 * With `sorted`, rows are ordered by key so concurrent PostgreSQL transactions lock rows in one
 * order (fewer deadlocks to retry).
 */
function toParameters<R>(spec: TableSpec<R>, records: readonly R[], sorted: boolean): { params: unknown[]; rows: number } {
  const columns = spec.columns;
  const keyIndexes = spec.key.map((k) => columns.findIndex((c) => c.column === k));
  const byKey = new Map<string, unknown[]>();
  for (let r = 0; r < records.length; r++) {
    const record = records[r] as Record<string, unknown>;
    const values = new Array<unknown>(columns.length);
    for (let c = 0; c < columns.length; c++) {
      const col = columns[c] as ColumnSpec<R>;
      values[c] = convert(col.kind, record[col.field], `${spec.table}.${col.column} (row ${r})`);
    }
    const key = keyIndexes.length === 1 ? String(values[keyIndexes[0] as number]) : keyIndexes.map((i) => String(values[i])).join('\u0001');
    byKey.delete(key); // re-insert so the surviving row keeps the position of its last occurrence
    byKey.set(key, values);
  }
  const params: unknown[] = [];
  const entries = sorted ? [...byKey.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) : byKey.entries();
  for (const [, values] of entries) for (const v of values) params.push(v);
  return { params, rows: byKey.size };
}

/**
 * Writes `records` in as few statements as fit; returns the rows changed (inserted or updated;
 * with onConflict 'ignore': inserted only).
 */
export async function writeBatch<R>(ctx: RepoContext, spec: TableSpec<R>, records: readonly R[]): Promise<number> {
  if (records.length === 0) return 0;
  const width = spec.columns.length;
  const { params, rows } = toParameters(spec, records, ctx.dialect === 'postgres');
  const maxRows = Math.floor(MAX_BOUND_VARIABLES / width);
  let offset = 0;
  let changes = 0;
  for (const size of chunkSizes(rows, maxRows)) {
    const text = compileInsert(ctx, spec, size);
    const chunk = params.slice(offset * width, (offset + size) * width);
    changes += (await ctx.run(text, chunk)).changes;
    offset += size;
  }
  return changes;
}

/** Runs a lookup over `values` in chunks that stay under the bound-variable limit. */
export async function inChunks<V, T>(values: readonly V[], lookup: (chunk: V[]) => Promise<T[]>, size = 10_000): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < values.length; i += size) out.push(...(await lookup(values.slice(i, i + size))));
  return out;
}
