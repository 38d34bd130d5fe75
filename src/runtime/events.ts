/**
 * What the runtime reports as it happens, for metrics and alerts (src/monitor) to subscribe to.
 * A listener that throws is logged and never disturbs the runtime.
 */
import type { FailureClass } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import type { Transition } from './supervisor.ts';

export type TransitionEvent = Transition;

export type RunStatus = 'ok' | 'failed' | 'skipped' | 'abandoned';

export interface RunFinishedEvent {
  instance: string;
  /** `abandoned`: stopped because another process took its slot claim over (not a failure). */
  status: 'ok' | 'failed' | 'abandoned';
  durationMs: number;
  rowsWritten: number;
  rejected: number;
  /** API calls the run made: a run that made none says nothing about the API. */
  apiCalls: number;
  failureClass?: FailureClass;
  /** The failure is no news about the dependency: this process refused the call itself (its open circuit breaker). */
  refusedLocally?: true;
  /**
   * When the failure was seen (the failing request's send time), when before `at`: news of the
   * dependency up since then makes this failure old news.
   */
  failureSeenAt?: number;
  /** The collection_runs id, when the run was recorded. */
  runId?: number;
  /** Epoch ms the run ended. */
  at: number;
}

export interface IntervalChangedEvent {
  instance: string;
  fromMs: number;
  toMs: number;
  configuredMs: number;
  at: number;
}

/** Another process completed a slot this process found claimed: the instance's data is that fresh. */
export interface SlotServedEvent {
  instance: string;
  slot: number;
  /** Epoch ms the other process's run completed the slot. */
  at: number;
}

type Listener<E> = (event: E) => void;

export class RuntimeEvents {
  private readonly transitions = new Set<Listener<TransitionEvent>>();
  private readonly runs = new Set<Listener<RunFinishedEvent>>();
  private readonly intervals = new Set<Listener<IntervalChangedEvent>>();
  private readonly served = new Set<Listener<SlotServedEvent>>();

  constructor(private readonly logger?: Logger) {}

  /** Every health-state change; returns a function that unsubscribes. */
  onTransition(listener: Listener<TransitionEvent>): () => void {
    return subscribe(this.transitions, listener);
  }

  /** Every finished run (not lost slot claims); returns a function that unsubscribes. */
  onRunFinished(listener: Listener<RunFinishedEvent>): () => void {
    return subscribe(this.runs, listener);
  }

  /** Every adaptive interval change; returns a function that unsubscribes. */
  onIntervalChanged(listener: Listener<IntervalChangedEvent>): () => void {
    return subscribe(this.intervals, listener);
  }

  /** Every slot this process lost to another process's completed run, newer than the last success it knew; returns a function that unsubscribes. */
  onSlotServed(listener: Listener<SlotServedEvent>): () => void {
    return subscribe(this.served, listener);
  }

  emitTransition(event: TransitionEvent): void {
    this.emit(this.transitions, event, 'transition');
  }

  emitRunFinished(event: RunFinishedEvent): void {
    this.emit(this.runs, event, 'run-finished');
  }

  emitIntervalChanged(event: IntervalChangedEvent): void {
    this.emit(this.intervals, event, 'interval-changed');
  }

  emitSlotServed(event: SlotServedEvent): void {
    this.emit(this.served, event, 'slot-served');
  }

  private emit<E>(listeners: Set<Listener<E>>, event: E, kind: string): void {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (err) {
        this.logger?.error({ err, event: kind }, 'runtime event listener failed');
      }
    }
  }
}

function subscribe<E>(set: Set<Listener<E>>, listener: Listener<E>): () => void {
  set.add(listener);
  return () => set.delete(listener);
}
