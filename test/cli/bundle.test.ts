import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/index.ts';
import { statusFromDatabase } from '../../src/monitor/health.ts';
import { filledStore } from '../server/fill-store.ts';
import { tempDir } from '../support/temp-dir.ts';
import { buildBundle } from './build-sources.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TRACE = fileURLToPath(new URL('./module-trace.mjs', import.meta.url));

function run(nodeArgs: string[], cwd: string, env: Record<string, string>) {
  return spawnSync(process.execPath, nodeArgs, { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env }, encoding: 'utf8', timeout: 60_000 });
}

/** Modules `gtc status` has no use for (without a configuration file); each would cost every call. */
const NOT_FOR_STATUS = [/node_modules\/(pg|pg-pool|yaml|pino|hono|@hono|prom-client)\//, /\/src\/(server|sim|runtime|collectors|api)\//, /\/src\/store\/postgres\.ts$/, /\/src\/cli\/commands\/(?!status\.ts$|db\/open\.ts$)/];
const notForStatus = (url: string): boolean => NOT_FOR_STATUS.some((re) => re.test(url));

/** The modules a process run with module-trace.mjs reported. */
function loadedModules(stderr: string): string[] {
  return [...stderr.matchAll(/^loaded: (.*)$/gm)].map((m) => m[1] as string);
}

test('the bundled CLI (npm run build) prints its version and the /api/status object, and lists every command', async (t) => {
  const filled = await filledStore();
  t.after(() => filled.cleanup());
  const expected = await statusFromDatabase({ config: loadConfig({ env: {} }).config, store: filled.store });
  const pkg = buildBundle(`bundle-test-${process.pid}`);
  t.after(() => pkg.cleanup());
  const dir = tempDir(t);

  const version = run([pkg.bin, '--version'], dir, {});
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout.trim(), (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);

  const status = run(['--import', TRACE, pkg.bin, 'status', '--json'], dir, { GTC_DATABASE_URL: filled.url });
  assert.equal(status.status, 0, status.stderr);
  assert.deepEqual(loadedModules(status.stderr).filter(notForStatus), []);
  const report = JSON.parse(status.stdout) as typeof expected;
  assert.deepEqual(report.collectors, expected.collectors);
  assert.deepEqual(Object.keys(report), Object.keys(expected));
  assert.deepEqual(report.gaps, expected.gaps);

  const help = run([pkg.bin, '--help'], dir, {});
  assert.equal(help.status, 0, help.stderr);
  for (const name of ['init', 'migrate', 'config', 'start', 'demo', 'collect', 'backfill', 'watchlist', 'status', 'collector', 'db', 'export', 'sim']) {
    assert.match(help.stdout, new RegExp(`^  ${name}\\b`, 'm'));
  }
});

test('gtc status loads neither pg, yaml, pino, hono nor the daemon, server, simulator or other commands', async (t) => {
  const filled = await filledStore();
  t.after(() => filled.cleanup());
  await filled.store.close();
  const dir = tempDir(t);
  const result = run(['--import', TRACE, '--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/main.ts'), 'status', '--json'], dir, { GTC_DATABASE_URL: filled.url });
  assert.equal(result.status, 0, result.stderr);
  const loaded = loadedModules(result.stderr);
  assert.ok(loaded.some((url) => url.endsWith('/src/store/sqlite.ts')), result.stderr);
  assert.deepEqual(loaded.filter(notForStatus), []);
});
