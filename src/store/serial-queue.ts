/**
 * A FIFO queue that runs one task at a time. SQLite's busy handler does not queue waiting
 * writers, so within a process every write waits its turn here instead of racing for the lock.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  /** Tasks queued or running. */
  get length(): number {
    return this.waiting;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.waiting++;
    const result = this.tail.then(task);
    const settle = (): void => {
      this.waiting--;
    };
    this.tail = result.then(settle, settle);
    return result;
  }
}
