import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runGtc, type CliResult } from '../support/gtc-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'gtc-cli-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function gtc(args: string[], env: Record<string, string> = {}): CliResult {
  return runGtc(args, { cwd: dir, env });
}

describe('gtc config', () => {
  it('check accepts defaults', () => {
    const result = gtc(['config', 'check']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Configuration is valid/);
  });

  it('check exits 2 with one sentence naming the key', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'collectors:\n  trades: { minVolumeUsd: -5 }\n');
    const result = gtc(['--config', file, 'config', 'check']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^gtc: Configuration key collectors\.trades\.minVolumeUsd is out of range/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });

  it('check exits 2 for a bad environment value', () => {
    const result = gtc(['config', 'check'], { GTC_DATABASE_URL: 'mysql://nope/x' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /database\.url/);
  });

  it('show prints every key with secrets redacted', () => {
    const result = gtc(['config', 'show', '--json'], {
      GTC_API_KEY: 'CG-do-not-print-me',
      GTC_DATABASE_URL: 'postgres://gtc:pw-do-not-print@127.0.0.1:5432/gtc',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.ok(!result.stdout.includes('do-not-print'), result.stdout);
    const shown = JSON.parse(result.stdout) as { api: { apiKey: string }; database: { url: string }; collectors: Record<string, unknown> };
    assert.equal(shown.api.apiKey, '[redacted]');
    assert.match(shown.database.url, /^postgres:\/\/gtc:%5Bredacted%5D@127\.0\.0\.1:5432\/gtc$/);
    assert.deepEqual(Object.keys(shown.collectors).sort(), ['dexes', 'discovery', 'new-pools', 'ohlcv', 'top-pools', 'trades', 'watchlist']);
  });

  it('a bad argument exits 2', () => {
    const result = gtc(['config', 'show', '--bogus']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /unknown option/);
  });
});
