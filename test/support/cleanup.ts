/**
 * Per-test cleanups run in reverse order of registration (LIFO), unlike node:test's `t.after`
 * hooks, which run in registration order: a database must outlive the store opened on it.
 */
interface AfterHost {
  after(fn: () => void | Promise<void>): void;
}

const stacks = new WeakMap<AfterHost, (() => unknown)[]>();

export function defer(t: AfterHost, cleanup: () => unknown): void {
  let stack = stacks.get(t);
  if (!stack) {
    const fresh: (() => unknown)[] = [];
    stacks.set(t, fresh);
    stack = fresh;
    t.after(async () => {
      for (const fn of fresh.reverse()) await fn();
    });
  }
  stack.push(cleanup);
}
