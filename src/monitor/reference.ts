/**
 * The metrics and alerts references as Markdown, generated from the registry and the rules
 * themselves so documentation cannot drift from what /metrics serves and what the engine raises.
 */
import { defaultRules } from './alerts/rules.ts';
import { GtcMetrics } from './metrics.ts';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A table of every gtc_ metric: name, type, labels, meaning (default process metrics are summarised). */
export async function metricsReference(): Promise<string> {
  const metrics = new GtcMetrics({ defaultMetrics: false });
  const types = new Map((await metrics.registry.getMetricsAsJSON()).map((m) => [m.name, String(m.type)]));
  const rows = metrics.registry.getMetricsAsArray().map((m) => {
    // prom-client keeps each metric's label names on the instance (not in its JSON form)
    const { name, help, labelNames = [] } = m as unknown as { name: string; help: string; labelNames?: readonly string[] };
    return `| \`${name}\` | ${types.get(name)} | ${labelNames.map((l) => `\`${l}\``).join(', ') || '—'} | ${cell(help)} |`;
  });
  return [
    '| metric | type | labels | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
    "Plus Node.js process metrics (`process_cpu_seconds_total`, `process_resident_memory_bytes`, `nodejs_heap_size_used_bytes`, `nodejs_eventloop_lag_seconds`, GC durations, …) from prom-client's defaults.",
    '',
  ].join('\n');
}

/** A table of every alert rule: name, severity, when it fires and resolves. */
export function alertsReference(): string {
  return ['| alert | severity | fires when … |', '|---|---|---|', ...defaultRules().map((r) => `| \`${r.name}\` | ${r.severity} | ${cell(r.description)} |`), ''].join('\n');
}
