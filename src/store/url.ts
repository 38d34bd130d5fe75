import { resolve } from 'node:path';

export type Dialect = 'sqlite' | 'postgres';

export type DatabaseTarget =
  | { dialect: 'sqlite'; /** absolute file path, or ':memory:' */ path: string }
  | { dialect: 'postgres'; url: string };

/**
 * Reads a database URL: `postgres://…` / `postgresql://…`, `sqlite:PATH`, `sqlite::memory:`,
 * or a plain file path (relative paths resolve against the working directory).
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres', url };
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  if (path === ':memory:') return { dialect: 'sqlite', path };
  if (path.length === 0) throw new Error(`database URL "${url}" names no file`);
  return { dialect: 'sqlite', path: resolve(path.replace(/^\/\/(?=\/)/, '')) };
}
