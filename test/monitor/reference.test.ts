import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { defaultRules } from '../../src/monitor/alerts/rules.ts';
import { GtcMetrics } from '../../src/monitor/metrics.ts';
import { alertsReference, metricsReference } from '../../src/monitor/reference.ts';

test('the metrics and alerts references list every metric served and every rule raised', async () => {
  const served = [...(await new GtcMetrics({ defaultMetrics: false }).render()).matchAll(/^# TYPE (\S+) (\S+)$/gm)];
  const metrics = await metricsReference();
  assert.ok(served.length >= 20);
  for (const [, name, type] of served) assert.match(metrics, new RegExp(`\\| \`${name}\` \\| ${type} \\|`));
  assert.match(metrics, /\| `gtc_collector_state` \| gauge \| `collector`, `state` \|/);
  const alerts = alertsReference();
  for (const rule of defaultRules()) assert.ok(alerts.includes(`| \`${rule.name}\` | ${rule.severity} |`), rule.name);
});

test('the README carries the metrics and alerts references exactly as generated', async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  assert.ok(readme.includes(`${(await metricsReference()).trimEnd()}\n<!-- /metrics-reference -->`), 'README metrics table is stale: paste metricsReference() between the metrics-reference markers');
  assert.ok(readme.includes(`${alertsReference().trimEnd()}\n<!-- /alerts-reference -->`), 'README alerts table is stale: paste alertsReference() between the alerts-reference markers');
});
