/** `gtc db monitor`: probe the database every interval, print a line each time, alert once per episode. */
import { parseDuration, type GtcConfig } from '../../../config/index.ts';
import { systemClock, type Clock } from '../../../lib/clock.ts';
import { UsageError } from '../../context.ts';
import { paint } from '../../output/table.ts';
import { openExistingStore } from './open.ts';

export interface DbMonitorOptions {
  interval?: string;
  duration?: string;
  alertLockWaitMs?: string;
  json?: boolean;
}

interface Sample {
  at: string;
  ok: boolean;
  latencyMs: number | null;
  writeLockWaitMs: number | null;
  walSizeBytes: number | null;
  error: string | null;
}

function duration(name: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new UsageError(`--${name} must be a duration such as "500ms", "5s" or "1m", got ${JSON.stringify(text)}.`);
  return ms;
}

function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

export async function runDbMonitor(config: GtcConfig, options: DbMonitorOptions, clock: Clock = systemClock): Promise<void> {
  const intervalMs = duration('interval', options.interval ?? '5s');
  const totalMs = options.duration ? duration('duration', options.duration) : Infinity;
  const limit = Number(options.alertLockWaitMs ?? 1000);
  if (!Number.isFinite(limit) || limit < 0) throw new UsageError(`--alert-lock-wait-ms must be a number of milliseconds, got ${JSON.stringify(options.alertLockWaitMs)}.`);
  const colour = Boolean(process.stdout.isTTY) && !options.json;
  const store = await openExistingStore(config);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const waits: number[] = [];
  let alerting = false;
  let alerts = 0;
  let samples = 0;
  const started = clock.now();
  try {
    while (!stop.signal.aborted && clock.now() - started < totalMs) {
      const probe = await store.probe();
      const sample: Sample = {
        at: new Date(clock.now()).toISOString(),
        ok: probe.ok,
        latencyMs: probe.ok ? probe.latencyMs : null,
        writeLockWaitMs: probe.ok ? probe.writeLockWaitMs : null,
        walSizeBytes: probe.walSizeBytes ?? null,
        error: probe.error ?? null,
      };
      samples++;
      if (sample.writeLockWaitMs !== null) waits.push(sample.writeLockWaitMs);
      const bad = !sample.ok || (sample.writeLockWaitMs ?? 0) > limit;
      if (options.json) process.stdout.write(`${JSON.stringify(sample)}\n`);
      else {
        const text = `${sample.at}  ${sample.ok ? 'ok' : 'DOWN'}  latency ${sample.latencyMs ?? '-'} ms  write lock ${sample.writeLockWaitMs ?? '-'} ms${sample.walSizeBytes !== null ? `  WAL ${(sample.walSizeBytes / 1024 / 1024).toFixed(2)} MiB` : ''}${sample.error ? `  ${sample.error}` : ''}`;
        process.stdout.write(`${paint(text, bad ? 'red' : undefined, colour)}\n`);
      }
      if (bad && !alerting) {
        alerts++;
        process.stderr.write(`gtc: ALERT ${sample.ok ? `write-lock wait ${sample.writeLockWaitMs} ms is above ${limit} ms` : `the database did not answer: ${sample.error ?? 'unknown error'}`}.\n`);
      } else if (!bad && alerting) process.stderr.write('gtc: RESOLVED the database answers and the write-lock wait is back under the limit.\n');
      alerting = bad;
      const left = totalMs - (clock.now() - started);
      if (left <= 0) break;
      await clock.sleep(Math.min(intervalMs, left), stop.signal).catch(() => undefined);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await store.close();
  }
  const summary = { samples, alerts, writeLockWaitMs: { p50: percentile(waits, 0.5), p99: percentile(waits, 0.99), max: waits.length ? Math.max(...waits) : null } };
  if (options.json) process.stdout.write(`${JSON.stringify({ summary })}\n`);
  else process.stdout.write(`${samples} samples; write-lock wait p50 ${summary.writeLockWaitMs.p50 ?? '-'} ms, p99 ${summary.writeLockWaitMs.p99 ?? '-'} ms, max ${summary.writeLockWaitMs.max ?? '-'} ms; ${alerts} alert(s).\n`);
  if (alerts) process.exitCode = 1;
}
