import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { statusFromDatabase } from '../../src/monitor/health.ts';
import { jsonLines } from '../support/child.ts';
import { runGtc, spawnGtc } from '../support/gtc-cli.ts';
import { tempDir } from '../support/temp-dir.ts';
import { filledStore } from '../server/fill-store.ts';

/** The same keys at every level (values may differ). */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [shape(value[0])] : [];
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, shape((value as Record<string, unknown>)[k])]));
  return typeof value;
}

test('gtc status: a table for people, --json the /api/status object; db health reports and advises', async (t) => {
  const filled = await filledStore();
  t.after(() => filled.cleanup());
  const expected = await statusFromDatabase({ config: loadConfig({ env: {} }).config, store: filled.store });
  const dir = tempDir(t);
  const env = { GTC_DATABASE_URL: filled.url };

  const json = runGtc(['status', '--json'], { cwd: dir, env });
  assert.equal(json.status, 0, json.stderr);
  const report = JSON.parse(json.stdout) as typeof expected;
  assert.deepEqual(shape(report), shape(expected));
  assert.deepEqual(report.collectors, expected.collectors);

  const table = runGtc(['status'], { cwd: dir, env });
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /^INSTANCE +STATE +LAST SUCCESS/);
  assert.match(table.stdout, /top-pools:solana +suspended .* 3 +7m30s \(configured 5m\) +API answered 503 three times/);
  assert.match(table.stdout, /Gaps +1 open/);
  assert.equal(table.stdout.includes('\u001b['), false, 'no colour when stdout is not a terminal');

  const health = runGtc(['db', 'health', '--json'], { cwd: dir, env });
  assert.equal(health.status, 0, health.stderr);
  const h = JSON.parse(health.stdout) as { ok: boolean; integrity: { ok: boolean; check: string }; sqlite: { journalMode: string }; recommendations: string[] };
  assert.equal(h.ok, true);
  assert.deepEqual([h.integrity.ok, h.integrity.check], [true, 'quick_check']);
  assert.equal(h.sqlite.journalMode, 'wal');
  assert.ok(h.recommendations.some((r) => r.startsWith('synchronous=NORMAL')));

  const missing = runGtc(['status'], { cwd: dir, env: { GTC_DATABASE_URL: `sqlite:${dir}/nope.sqlite` } });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^gtc: There is no database at .*nope\.sqlite; run gtc migrate/);
});

test('gtc db monitor: one alert while another process holds the write lock, one resolve after', async (t) => {
  const filled = await filledStore();
  t.after(() => filled.cleanup());
  await filled.store.close();
  const path = filled.url.slice('sqlite:'.length);
  const dir = tempDir(t);
  const monitor = spawnGtc(['db', 'monitor', '--interval', '200ms', '--duration', '5s', '--alert-lock-wait-ms', '400', '--json'], { cwd: dir, env: { GTC_DATABASE_URL: filled.url } });
  let stdout = '';
  let stderr = '';
  monitor.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  monitor.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // once the monitor is sampling, another process takes the write lock for 1.5 s
  await new Promise<void>((resolve) => monitor.stdout?.on('data', () => stdout.includes('"ok":true') && resolve()));
  const holder = spawn(process.execPath, ['-e', `const db = new (require('better-sqlite3'))(${JSON.stringify(path)}); db.exec('begin exclusive'); setTimeout(() => { db.exec('commit'); db.close(); }, 1500);`], { cwd: new URL('../../', import.meta.url).pathname });
  const code = await new Promise<number | null>((resolve) => monitor.on('exit', (exitCode) => resolve(exitCode)));
  holder.kill();
  const samples = jsonLines<{ ok?: boolean; writeLockWaitMs?: number | null; summary?: { alerts: number; writeLockWaitMs: { max: number } } }>(stdout);
  const summary = samples.at(-1)?.summary;
  assert.ok(samples.length >= 8, `${samples.length} samples`);
  assert.equal(summary?.alerts, 1, stderr);
  assert.ok((summary?.writeLockWaitMs.max ?? 0) > 400);
  assert.equal(stderr.match(/ALERT/g)?.length, 1, stderr);
  assert.equal(stderr.match(/RESOLVED/g)?.length, 1, stderr);
  assert.equal(code, 1, 'exit code 1 when an alert fired');
});
