import { systemClock, type Clock } from '../../lib/clock.ts';
import { errorMessage } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import type { StatusReport } from '../status.ts';
import { defaultRules, type AlertRule, type AlertSnapshot, type Severity } from './rules.ts';
import { RunWindow, SampleWindow, SERVED_ELSEWHERE, type RunOutcome } from './windows.ts';

/** One alert raised or resolved; sinks receive exactly one of each per rule and subject episode. */
export interface AlertEvent {
  status: 'firing' | 'resolved';
  rule: string;
  subject: string;
  severity: Severity;
  summary: string;
  /** When the condition was first seen, ISO. */
  startsAt: string;
  /** When it stopped holding (resolved events only), ISO. */
  endsAt: string | null;
  value: number | null;
}

/** Where alert events go. `send` must return at once: delivery happens in the background. */
export interface AlertSink {
  readonly name: string;
  send(event: AlertEvent): void;
  /** Resolves when everything queued so far was delivered or given up on. */
  drain?(): Promise<void>;
  close?(): Promise<void>;
}

export interface AlertEngineOptions {
  /** The current status report (from the live daemon). */
  status: () => Promise<StatusReport> | StatusReport;
  sinks: AlertSink[];
  rules?: AlertRule[];
  clock?: Clock;
  /** How often rules are evaluated; default 15 s. */
  intervalMs?: number;
  logger?: Logger;
}

/**
 * Evaluates the rules on a timer and tells the sinks once when a condition starts to hold for a
 * subject and once when it stops. State is kept per rule and subject, so a collector suspended
 * for an hour raises one alert, not one per evaluation.
 */
export class AlertEngine {
  readonly runs = new RunWindow();
  readonly lockWaits = new SampleWindow();
  private readonly rules: AlertRule[];
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly active = new Map<string, AlertEvent>();
  private readonly firstSeenAt = new Map<string, number>();
  private readonly since: number;
  private loop: { controller: AbortController; done: Promise<void> } | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: AlertEngineOptions) {
    this.rules = options.rules ?? defaultRules();
    this.clock = options.clock ?? systemClock;
    this.intervalMs = options.intervalMs ?? 15_000;
    this.since = this.clock.now();
  }

  /** Feed: a run ended (same event as the metrics'). */
  runFinished(run: { collector: string; status: string }): void {
    const outcome: RunOutcome = { collector: run.collector, status: run.status, at: this.clock.now() };
    this.runs.add(outcome);
  }

  /**
   * Feed: another process completed a slot of the collector at `at` (the processes share the
   * database): its data was current then, whichever process collected it.
   */
  slotServedElsewhere(served: { collector: string; at: number }): void {
    this.runs.add({ collector: served.collector, status: SERVED_ELSEWHERE, at: served.at });
  }

  /** Feed: a write transaction waited this long for the write lock. */
  lockWaited(ms: number): void {
    this.lockWaits.add(ms, this.clock.now());
  }

  /** Alerts firing now. */
  firing(): AlertEvent[] {
    return [...this.active.values()];
  }

  /**
   * Evaluates every rule once and emits the raise/resolve events that follow; returns them.
   * Evaluations run one at a time (the timer and event-triggered ones may overlap otherwise, and
   * two overlapping evaluations would both raise the same alert).
   */
  evaluate(): Promise<AlertEvent[]> {
    const next = this.queue.then(() => this.evaluateNow());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async evaluateNow(): Promise<AlertEvent[]> {
    const now = this.clock.now();
    const status = await this.options.status();
    for (const c of status.collectors) if (!this.firstSeenAt.has(c.name)) this.firstSeenAt.set(c.name, now);
    const snapshot: AlertSnapshot = {
      now,
      status,
      runs: this.runs,
      lockWaitP99Ms: this.lockWaits.percentile(0.99, now),
      since: this.since,
      firstSeen: (name) => this.firstSeenAt.get(name) ?? now,
    };
    const events: AlertEvent[] = [];
    const holding = new Set<string>();
    for (const rule of this.rules) {
      let findings;
      try {
        findings = rule.evaluate(snapshot);
      } catch (error) {
        this.options.logger?.error({ rule: rule.name, err: error }, `Alert rule ${rule.name} failed: ${errorMessage(error)}`);
        // keep this rule's alerts as they are rather than resolving them on a bug
        for (const key of this.active.keys()) if (key.startsWith(`${rule.name}\u0000`)) holding.add(key);
        continue;
      }
      for (const finding of findings) {
        const key = `${rule.name}\u0000${finding.subject}`;
        holding.add(key);
        if (this.active.has(key)) continue;
        const event: AlertEvent = { status: 'firing', rule: rule.name, subject: finding.subject, severity: rule.severity, summary: finding.summary, startsAt: new Date(now).toISOString(), endsAt: null, value: finding.value ?? null };
        this.active.set(key, event);
        events.push(event);
      }
    }
    for (const [key, event] of this.active) {
      if (holding.has(key)) continue;
      if (this.rules.find((r) => r.name === event.rule)?.sustains?.(snapshot, event.subject)) continue;
      this.active.delete(key);
      events.push({ ...event, status: 'resolved', endsAt: new Date(now).toISOString(), summary: `Resolved: ${event.summary}` });
    }
    for (const event of events) for (const sink of this.options.sinks) sink.send(event);
    return events;
  }

  /** Evaluates now and then every interval until `stop`. */
  start(): void {
    if (this.loop) return;
    const controller = new AbortController();
    const done = (async () => {
      while (!controller.signal.aborted) {
        try {
          await this.evaluate();
        } catch (error) {
          this.options.logger?.warn({ err: error }, `Alert evaluation failed: ${errorMessage(error)}`);
        }
        await this.clock.sleep(this.intervalMs, controller.signal).catch(() => undefined);
      }
    })();
    this.loop = { controller, done };
  }

  /** Stops the timer and waits for the sinks to deliver what is queued (bounded by their own retry limits). */
  async stop(): Promise<void> {
    if (this.loop) {
      this.loop.controller.abort();
      await this.loop.done;
      this.loop = undefined;
    }
    await Promise.all(this.options.sinks.map((s) => s.close?.()));
  }
}
