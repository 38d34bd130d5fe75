import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Marks the asynchronous scope of a database write transaction. The store runs every write
 * callback inside it; the API client refuses to fetch while inside, so network I/O inside a
 * write transaction (which would hold the SQLite write lock for the length of an HTTP call)
 * cannot happen, even by accident.
 */
const scope = new AsyncLocalStorage<true>();

/** True while running inside a write transaction callback (or anything it awaits). */
export function insideWriteTransaction(): boolean {
  return scope.getStore() === true;
}

/** Runs `fn` (and everything it awaits) inside the write-transaction scope. */
export function runInWriteScope<T>(fn: () => Promise<T>): Promise<T> {
  return scope.run(true, fn);
}
