import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { csvCell, csvLine } from '../../src/cli/output/csv.ts';
import { runGtc } from '../support/gtc-cli.ts';
import { jsonLines } from '../support/child.ts';
import { tempDir } from '../support/temp-dir.ts';
import { filledStore } from '../server/fill-store.ts';
import { buildSources } from './build-sources.ts';
import { databaseWithTrades } from './export-fixture.ts';

test('CSV cells: formulas neutralised, numbers kept, quoting per RFC 4180', () => {
  assert.equal(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  for (const start of ['+', '-', '@', '\t', '\r']) assert.ok(csvCell(`${start}cmd|' /C calc'!A0`).startsWith(`'`) || csvCell(`${start}x`).startsWith(`"'`), JSON.stringify(start));
  assert.equal(csvCell('-3.2'), '-3.2');
  assert.equal(csvCell('+1.5e-7'), '+1.5e-7');
  assert.equal(csvCell('-'), `'-`);
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('line\nbreak'), '"line\nbreak"');
  assert.equal(csvCell(null), '');
  assert.equal(csvLine(['x', 1, null]), 'x,1,\r\n');
});

test('gtc export pools: a token named =HYPERLINK("http://x") is neutralised; jsonl keeps exact decimals', async (t) => {
  const filled = await filledStore();
  t.after(() => filled.cleanup());
  await filled.store.close();
  const dir = tempDir(t);
  const env = { GTC_DATABASE_URL: filled.url };
  const csv = runGtc(['export', 'pools', '--format', 'csv'], { cwd: dir, env });
  assert.equal(csv.status, 0, csv.stderr);
  const line = csv.stdout.split('\r\n').find((l) => l.startsWith('solana_POOLHOSTILE2,')) as string;
  assert.ok(line.includes(`"'=HYPERLINK(""http://x"")"`), line);
  assert.equal(/(^|,)=HYPERLINK/.test(line), false);
  assert.ok(line.includes(',-3.2,'), 'a negative number stays a number');
  const jsonl = runGtc(['export', 'pools', '--format', 'jsonl', '--pool', 'solana_POOLPLAIN'], { cwd: dir, env });
  assert.equal(jsonl.status, 0, jsonl.stderr);
  const pool = JSON.parse(jsonl.stdout) as Record<string, unknown>;
  assert.equal(pool.base_token_price_usd, '0.000012345678901234567890');
  assert.equal(pool.pool_created_at, '2025-01-09T00:00:00Z');
});

test('gtc export ohlcv --format qlib writes one CSV per pool', async (t) => {
  const filled = await filledStore();
  t.after(() => filled.cleanup());
  await filled.store.close();
  const dir = tempDir(t);
  const out = join(dir, 'qlib');
  const result = runGtc(['export', 'ohlcv', '--format', 'qlib', '--timeframe', '1h', '--since', '2025-01-09T22:00:00Z', '--out', out], { cwd: dir, env: { GTC_DATABASE_URL: filled.url } });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['solana_POOLHOSTILE0.csv', 'solana_POOLHOSTILE1.csv', 'solana_POOLHOSTILE2.csv', 'solana_POOLPLAIN.csv']);
  const lines = readFileSync(join(out, 'solana_POOLPLAIN.csv'), 'utf8').trim().split('\r\n');
  assert.equal(lines[0], 'datetime,symbol,open,high,low,close,volume');
  assert.equal(lines.length, 4);
  assert.match(lines[1] as string, /^2025-01-09 22:00:00,solana_POOLPLAIN,\d/);
  const bad = runGtc(['export', 'trades', '--format', 'qlib', '--out', out], { cwd: dir, env: { GTC_DATABASE_URL: filled.url } });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^gtc: --format qlib exports candles/);
});

test('exporting 1 million trades to CSV streams in constant memory (peak RSS < 150 MB)', async (t) => {
  const dir = tempDir(t);
  const url = await databaseWithTrades(dir, 1_000_000);
  const out = join(dir, 'trades.csv');
  // Measured on the built CLI code (`npm run build`, what bin/gtc.js runs once built): under tsx a
  // loader thread adds ~35 MB that is not the export's; that figure is printed too.
  const build = buildSources(`export-test-${process.pid}`);
  t.after(() => build.cleanup());
  const worker = fileURLToPath(new URL('./export-worker.mjs', import.meta.url));
  const built = await runChild(process.execPath, [worker, build.dist, url, 'trades', 'csv', out]);
  assert.equal(built.code, 0, built.stderr);
  const [report] = jsonLines<{ rows: number; seconds: number; maxRssBytes: number }>(built.stdout);
  const mb = (bytes: number | undefined) => ((bytes ?? 0) / 1024 / 1024).toFixed(0);
  console.log(`# exported ${report?.rows} trades in ${report?.seconds.toFixed(1)} s, peak RSS ${mb(report?.maxRssBytes)} MB (built code)`);
  assert.equal(report?.rows, 1_000_000);
  const lines = readFileSync(out, 'utf8').split('\r\n');
  assert.equal(lines.length, 1_000_002);
  assert.ok((report?.maxRssBytes ?? Infinity) < 150 * 1024 * 1024, `peak RSS ${report?.maxRssBytes} bytes`);
  const dev = await runChild(process.execPath, ['--import', 'tsx', worker, fileURLToPath(new URL('../../src', import.meta.url)), url, 'trades', 'csv', out]);
  console.log(`# the same under tsx (development): peak RSS ${mb(jsonLines<{ maxRssBytes: number }>(dev.stdout)[0]?.maxRssBytes)} MB`);
});

function runChild(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
