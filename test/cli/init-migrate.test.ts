import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { loadConfig } from '../../src/config/index.ts';
import { runGtc } from '../support/gtc-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'gtc-cli-init-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('gtc init and migrate', () => {
  it('init writes a valid configuration with the defaults and creates the database', () => {
    const result = runGtc(['init'], { cwd: dir });
    assert.equal(result.status, 0, result.stderr);
    const file = join(dir, 'gtc.config.yaml');
    assert.ok(existsSync(file));
    const written = loadConfig({ file, env: {} }).config;
    assert.equal(written.database.url, 'sqlite:./data/gtc.sqlite');
    assert.match(readFileSync(file, 'utf8'), /GTC_API_KEY/);
    const db = new Database(join(dir, 'data', 'gtc.sqlite'), { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    db.close();
    for (const table of ['pools', 'trades', 'ohlcv', 'collection_runs', 'slot_claims', 'data_gaps']) assert.ok(tables.includes(table), table);
  });

  it('init refuses to overwrite without --force (exit 2)', () => {
    const result = runGtc(['init'], { cwd: dir });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /already exists; pass --force/);
  });

  it('migrate is idempotent', () => {
    const result = runGtc(['migrate'], { cwd: dir });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /already up to date/);
  });

  it('migrate against an unreachable PostgreSQL fails in one sentence without the password', () => {
    const file = join(dir, 'fast-retry.yaml');
    writeFileSync(file, 'database: { maxRetryWait: 1s }\n');
    const result = runGtc(['--config', file, 'migrate'], { cwd: dir, env: { GTC_DATABASE_URL: 'postgres://gtc:s3cret-pw@127.0.0.1:1/nowhere' } });
    assert.equal(result.status, 1);
    assert.ok(!result.stderr.includes('s3cret-pw'), result.stderr);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /^gtc: .*unreachable/);
  });
});
