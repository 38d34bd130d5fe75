import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import Database from 'better-sqlite3';
import { spawnGtc } from '../support/gtc-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'gtc-demo-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function countRows(file: string, table: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT count(*) AS n FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

it('gtc demo prints its dashboard URL, collects from the simulator, and stops cleanly on SIGTERM', async (t) => {
  const file = join(dir, 'demo.sqlite');
  const started = Date.now();
  const child = spawnGtc(['demo', '--port', '0', '--db', file], { cwd: dir });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const url = await waitFor(() => /dashboard at (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout)?.[1], 30_000, () => stderr);
    t.diagnostic(`dashboard URL printed after ${Date.now() - started} ms`);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    await waitFor(() => (countRows(file, 'trades') > 0 && countRows(file, 'ohlcv') > 0 && countRows(file, 'pools') > 0 ? true : undefined), 30_000, () => stderr);
    const dashboard = await (await fetch(`${url}/`)).text();
    assert.match(dashboard, /watchlist/i);
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, stderr);
  const db = new Database(file, { readonly: true });
  assert.equal(db.prepare('PRAGMA integrity_check').pluck().get(), 'ok');
  assert.equal(db.prepare("SELECT count(*) FROM collection_runs WHERE status = 'running'").pluck().get(), 0);
  db.close();
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number, context: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value: T | undefined;
    try {
      value = probe();
    } catch {
      value = undefined; // the database file may not exist yet
    }
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out; stderr: ${context().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
