/**
 * The write queue of a process: one step (one transaction attempt) at a time on the write
 * connection. SQLite's busy handler does not queue waiting writers, so within a process every
 * write waits its turn here instead of racing for the lock.
 *
 * Two lanes:
 * - normal: tasks take turns in FIFO order; a task keeps its turn from its first step to its
 *   end, including the backoff between retried attempts, so normal writes commit in order.
 * - urgent: for tiny writes that must not wait behind the others (a slot claim's renewal, whose
 *   lease would otherwise expire while a long queue of data writes retries under a lock). Their
 *   steps run before any waiting normal step, also while the normal turn-holder is backing off
 *   between attempts. So an urgent write waits for at most the one attempt in progress.
 */
export type Step = <S>(attempt: () => Promise<S>) => Promise<S>;

export interface QueueOptions {
  urgent?: boolean;
}

export class SerialQueue {
  private turns: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private stepping = false;
  private readonly urgentSteps: (() => void)[] = [];
  private readonly normalSteps: (() => void)[] = [];

  /** Tasks queued or running. */
  get length(): number {
    return this.waiting;
  }

  /**
   * Runs `task` (normal: in its turn; urgent: at once); every transaction attempt inside it must
   * go through the `step` it receives, which runs the attempt alone on the connection.
   */
  run<T>(task: (step: Step) => Promise<T>, options: QueueOptions = {}): Promise<T> {
    this.waiting++;
    const settle = (): void => {
      this.waiting--;
    };
    if (options.urgent) {
      const result = task(this.urgentStep);
      result.then(settle, settle);
      return result;
    }
    const result = this.turns.then(() => task(this.normalStep));
    this.turns = result.then(settle, settle);
    return result;
  }

  private readonly urgentStep: Step = (attempt) => this.step(this.urgentSteps, attempt);
  private readonly normalStep: Step = (attempt) => this.step(this.normalSteps, attempt);

  private async step<S>(lane: (() => void)[], attempt: () => Promise<S>): Promise<S> {
    if (this.stepping) await new Promise<void>((resolve) => lane.push(resolve));
    else this.stepping = true;
    try {
      return await attempt();
    } finally {
      // Hand the connection on directly (urgent first), so nobody can slip in between.
      const next = this.urgentSteps.shift() ?? this.normalSteps.shift();
      if (next) next();
      else this.stepping = false;
    }
  }
}
