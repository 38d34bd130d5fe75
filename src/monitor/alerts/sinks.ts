import { redactUrl } from '../../config/index.ts';
import { systemClock, type Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/log.ts';
import type { AlertEvent, AlertSink } from './engine.ts';

/** Writes each alert as one structured log line: warn when raised, info when resolved. */
export function logSink(logger: Logger): AlertSink {
  return {
    name: 'log',
    send(event) {
      const fields = { alert: event.rule, subject: event.subject, severity: event.severity, status: event.status, value: event.value };
      if (event.status === 'firing') logger.warn(fields, `ALERT ${event.rule} ${event.subject}: ${event.summary}`);
      else logger.info(fields, `RESOLVED ${event.rule} ${event.subject}: ${event.summary}`);
    },
  };
}

export type WebhookFormat = 'json' | 'slack' | 'discord';

/** One line of text for chat webhooks. */
export function alertText(event: AlertEvent): string {
  const head = event.status === 'firing' ? `[gtc] ${event.severity.toUpperCase()} ${event.rule}` : `[gtc] RESOLVED ${event.rule}`;
  return `${head} (${event.subject}): ${event.summary}`;
}

/** The request body for a webhook of the given format. */
export function webhookBody(event: AlertEvent, format: WebhookFormat): unknown {
  switch (format) {
    case 'slack':
      return { text: alertText(event) };
    case 'discord':
      // Discord rejects content longer than 2000 characters.
      return { content: alertText(event).slice(0, 2000) };
    default:
      return { source: 'gtc', ...event };
  }
}

export interface WebhookSinkOptions {
  url: string;
  format?: WebhookFormat;
  clock?: Clock;
  logger?: Logger;
  /** Events waiting beyond this are dropped, oldest first (with a log line), so alerts never hold memory or collection. */
  maxQueue?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  random?: () => number;
}

/** Error answers worth retrying: throttling and server trouble; other 4xx will not get better. */
function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Posts alerts to a webhook from a bounded in-memory queue, one at a time, retrying failures with
 * exponential backoff and full jitter. `send` only enqueues, so a slow or dead receiver never
 * blocks collection. The URL (whose path carries the chat's secret token) is logged redacted.
 */
export class WebhookSink implements AlertSink {
  readonly name: string;
  private readonly queue: AlertEvent[] = [];
  private readonly clock: Clock;
  private readonly o: Required<Omit<WebhookSinkOptions, 'logger' | 'clock'>>;
  private worker: Promise<void> | undefined;
  private readonly closing = new AbortController();
  /** Events delivered (2xx) and given up on, for tests and status. */
  delivered = 0;
  failed = 0;

  constructor(private readonly options: WebhookSinkOptions) {
    this.clock = options.clock ?? systemClock;
    this.o = {
      url: options.url,
      format: options.format ?? 'json',
      maxQueue: options.maxQueue ?? 100,
      maxAttempts: options.maxAttempts ?? 6,
      baseDelayMs: options.baseDelayMs ?? 1_000,
      maxDelayMs: options.maxDelayMs ?? 60_000,
      timeoutMs: options.timeoutMs ?? 10_000,
      random: options.random ?? Math.random,
    };
    this.name = `webhook ${redactUrl(options.url, { hidePath: true })}`;
  }

  send(event: AlertEvent): void {
    if (this.closing.signal.aborted) return;
    this.queue.push(event);
    if (this.queue.length > this.o.maxQueue) {
      const dropped = this.queue.shift() as AlertEvent;
      this.failed++;
      this.options.logger?.warn({ sink: this.name, alert: dropped.rule, subject: dropped.subject }, `Alert queue of ${this.name} is full; dropped the oldest alert.`);
    }
    this.worker ??= this.work().finally(() => {
      this.worker = undefined;
    });
  }

  async drain(): Promise<void> {
    while (this.worker) await this.worker;
  }

  /** Stops retrying: what is queued gets one last attempt each, then the sink accepts nothing more. */
  async close(): Promise<void> {
    this.closing.abort();
    await this.drain();
  }

  private async work(): Promise<void> {
    for (let event = this.queue.shift(); event; event = this.queue.shift()) await this.deliver(event);
  }

  private async deliver(event: AlertEvent): Promise<void> {
    const body = JSON.stringify(webhookBody(event, this.o.format));
    let problem = '';
    for (let attempt = 1; attempt <= this.o.maxAttempts; attempt++) {
      try {
        const response = await fetch(this.o.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'gtc-alerts' },
          body,
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) {
          this.delivered++;
          return;
        }
        problem = `HTTP ${response.status}`;
        if (!retryable(response.status)) break;
      } catch (error) {
        problem = describeFetchError(error, this.o.timeoutMs);
      }
      if (attempt === this.o.maxAttempts || this.closing.signal.aborted) break;
      const cap = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** (attempt - 1));
      await this.clock.sleep(this.o.random() * cap, this.closing.signal).catch(() => undefined);
    }
    this.failed++;
    this.options.logger?.warn({ sink: this.name, alert: event.rule, subject: event.subject }, `Could not deliver alert ${event.rule} (${event.subject}) to ${this.name}: ${problem}.`);
  }
}

/** A fetch failure without the URL (messages of undici's errors can echo it). */
function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : 'network error';
}

/** The sinks of a configuration: the log always, plus one per configured webhook. */
export function sinksFromConfig(config: { alerts: { webhooks: { url: string; format: WebhookFormat }[] } }, logger: Logger, clock?: Clock): AlertSink[] {
  return [logSink(logger), ...config.alerts.webhooks.map((hook) => new WebhookSink({ url: hook.url, format: hook.format, logger, ...(clock ? { clock } : {}) }))];
}
