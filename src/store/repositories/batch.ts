/**
 * Batched, idempotent writes shared by every repository: records are converted to column values
 * from a table description, de-duplicated by key (last wins — PostgreSQL rejects a statement that
 * touches one key twice), and written as multi-row `INSERT … ON CONFLICT` statements.
 *
 * SQLite: chunks stay under its 32766 bound variables; chunk sizes are the largest that fits and
 * powers of two below it, so a table has ~12 statement shapes at most, each compiled by Kysely
 * once per store and prepared once by better-sqlite3. PostgreSQL: one `unnest` statement shape per
 * table, whatever the batch size.
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
  /**
   * Leave a stored row alone when no updated column differs (compared as text, so a changed
   * lexeme such as "1.0" → "1.00" still counts): re-sent unchanged rows cost no write and do
   * not count as changed.
   */
  skipUnchanged?: boolean;
}

/** Decimal lexemes the API sends; exponents are accepted but PostgreSQL NUMERIC expands them. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Marks a value that cannot be stored; the caller adds where it was. */
const INVALID = Symbol('invalid');

function toDecimal(value: unknown): string | null | typeof INVALID {
  if (value === null || value === undefined || value === '' || value === 'NaN') return null;
  return typeof value === 'string' && DECIMAL.test(value) ? value : INVALID;
}

function toInt(value: unknown): number | null | typeof INVALID {
  if (value === null || value === undefined) return null;
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : INVALID;
}

function convert(kind: ColumnKind, value: unknown): unknown {
  switch (kind) {
    case 'decimal': return toDecimal(value);
    case 'int': return toInt(value);
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

/** Element types of the arrays PostgreSQL unnests, per column kind. */
const PG_ARRAY_TYPE: Record<ColumnKind, string> = { text: 'text', int: 'bigint', decimal: 'numeric', json: 'text', bool: 'integer' };

/** Rows per PostgreSQL statement (one array parameter per column, any number of rows). */
const PG_ROWS_PER_STATEMENT = 5000;

/**
 * SQL of one batched insert, compiled by Kysely once per shape and cached. SQLite: a multi-row
 * VALUES list of `rows` rows. PostgreSQL (`rows` = 'unnest'): `INSERT … SELECT * FROM unnest(
 * $1::text[], $2::numeric[], …)` — one parameter per column, so one shape for every batch size.
 */
function compileInsert<R>(ctx: RepoContext, spec: TableSpec<R>, rows: number | 'unnest'): string {
  const cacheKey = `${spec.table}|${spec.onConflict}|${rows}`;
  const cached = ctx.sqlCache.get(cacheKey);
  if (cached) return cached;
  const columns = spec.columns.map((c) => c.column);
  const db = ctx.db as unknown as UntypedDb;
  const insert = rows === 'unnest'
    ? db.insertInto(spec.table).columns(columns).expression(
      sql`select * from unnest(${sql.join(spec.columns.map((c) => sql`${[]}::${sql.raw(PG_ARRAY_TYPE[c.kind])}[]`))})`,
    )
    : db.insertInto(spec.table).values(Array.from({ length: rows }, () => Object.fromEntries(columns.map((c) => [c, null]))));
  const keep = new Set([...spec.key, ...(spec.keepOnUpdate ?? [])]);
  const query = insert.onConflict((oc) => {
    const target = oc.columns(spec.key as string[]);
    if (spec.onConflict === 'ignore') return target.doNothing();
    const set = Object.fromEntries(columns.filter((c) => !keep.has(c)).map((c) => [c, sql.ref(`excluded.${c}`)]));
    const conditions = [];
    if (spec.newerOrEqual) conditions.push(sql`${sql.ref(`excluded.${spec.newerOrEqual}`)} >= ${sql.ref(`${spec.table}.${spec.newerOrEqual}`)}`);
    if (spec.skipUnchanged) {
      const differs = Object.keys(set).map((c) => ctx.dialect === 'postgres'
        ? sql`${sql.ref(`excluded.${c}`)}::text is distinct from ${sql.ref(`${spec.table}.${c}`)}::text`
        : sql`${sql.ref(`excluded.${c}`)} is not ${sql.ref(`${spec.table}.${c}`)}`);
      conditions.push(sql`(${sql.join(differs, sql` or `)})`);
    }
    const update = target.doUpdateSet(set);
    return conditions.length ? update.where(sql<boolean>`${sql.join(conditions, sql` and `)}`) : update;
  });
  const compiled = query.compile();
  const expected = rows === 'unnest' ? columns.length : rows * columns.length;
  if (compiled.parameters.length !== expected) {
    throw new GtcError('bug', `compiled insert into ${spec.table} has ${compiled.parameters.length} parameters, expected ${expected}`);
  }
  ctx.sqlCache.set(cacheKey, compiled.sql);
  return compiled.sql;
}

/**
 * De-duplicates records by key, the last occurrence winning. With `sorted`, records are ordered
 * by key so concurrent PostgreSQL transactions lock rows in one order (fewer deadlocks to retry).
 * Key columns are text or integers, so the record's own values identify the row.
 */
function uniqueByKey<R>(spec: TableSpec<R>, records: readonly R[], sorted: boolean): readonly R[] {
  const fields = spec.key.map((k) => (spec.columns.find((c) => c.column === k) as ColumnSpec<R>).field);
  const keyOf = fields.length === 1
    ? (r: R) => String((r as Record<string, unknown>)[fields[0] as string])
    : (r: R) => fields.map((f) => String((r as Record<string, unknown>)[f])).join('\u0001');
  const byKey = new Map<string, R>();
  for (const record of records) byKey.set(keyOf(record), record);
  if (!sorted) return byKey.size === records.length ? records : [...byKey.values()];
  return [...byKey.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
}

/** Converts one value for storage; throws bad-data naming the column and row. */
function storedValue<R>(spec: TableSpec<R>, col: ColumnSpec<R>, record: unknown, row: number): unknown {
  const value = (record as Record<string, unknown>)[col.field];
  const stored = col.kind === 'text' ? (value ?? null) : convert(col.kind, value);
  if (stored === INVALID) {
    const expected = col.kind === 'decimal' ? 'a decimal string' : 'an integer';
    throw new GtcError('bad-data', `${spec.table}.${col.column} (row ${row}): expected ${expected}, got ${JSON.stringify(value)}`);
  }
  return stored;
}

/** SQLite: the parameters of rows [from, from + count), row by row in column order. */
function rowParameters<R>(spec: TableSpec<R>, records: readonly R[], from: number, count: number): unknown[] {
  const columns = spec.columns;
  const params = new Array<unknown>(count * columns.length);
  let p = 0;
  for (let r = from; r < from + count; r++) {
    for (const col of columns) params[p++] = storedValue(spec, col, records[r], r);
  }
  return params;
}

/** PostgreSQL: one array per column holding rows [from, from + count). */
function columnParameters<R>(spec: TableSpec<R>, records: readonly R[], from: number, count: number): unknown[][] {
  const arrays = spec.columns.map(() => new Array<unknown>(count));
  for (let r = 0; r < count; r++) {
    for (let c = 0; c < spec.columns.length; c++) {
      (arrays[c] as unknown[])[r] = storedValue(spec, spec.columns[c] as ColumnSpec<R>, records[from + r], from + r);
    }
  }
  return arrays;
}

/**
 * Writes `records` in as few statements as fit; returns the rows changed (inserted or updated;
 * with onConflict 'ignore': inserted only).
 */
export async function writeBatch<R>(ctx: RepoContext, spec: TableSpec<R>, records: readonly R[]): Promise<number> {
  if (records.length === 0) return 0;
  const postgres = ctx.dialect === 'postgres';
  const unique = uniqueByKey(spec, records, postgres);
  let offset = 0;
  let changes = 0;
  if (postgres) {
    const text = compileInsert(ctx, spec, 'unnest');
    for (; offset < unique.length; offset += PG_ROWS_PER_STATEMENT) {
      const count = Math.min(PG_ROWS_PER_STATEMENT, unique.length - offset);
      changes += (await ctx.run(text, columnParameters(spec, unique, offset, count))).changes;
    }
    return changes;
  }
  for (const size of chunkSizes(unique.length, Math.floor(MAX_BOUND_VARIABLES / spec.columns.length))) {
    changes += (await ctx.run(compileInsert(ctx, spec, size), rowParameters(spec, unique, offset, size))).changes;
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
