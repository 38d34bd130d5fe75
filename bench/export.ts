/**
 * `npm run bench -- export [--rows N]`
 *
 * Exporting N (default 1 million) trades from SQLite to CSV, each in a process of its own:
 * - rows/s of `gtc export trades --format csv --out FILE` (built code, as after `npm run build`),
 *   against the raw driver reading the same rows in the same order (better-sqlite3 `.iterate()`
 *   over the same SELECT, writing nothing): the baseline `raw-iterate`;
 * - its peak RSS (process.resourceUsage().maxRSS), against the same process exporting no rows
 *   (the floor: Node, the CLI's modules, an open database). Goal: under 150 MB.
 * - the same two under tsx (`npm run gtc`, development), where a module-loader thread adds ~35 MB.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSources } from '../test/cli/build-sources.ts';
import { databaseWithTrades } from '../test/cli/export-fixture.ts';
import { tempDir } from '../test/support/temp-dir.ts';
import { ratio, report } from './lib/report.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const WORKER = join(ROOT, 'test/cli/export-worker.mjs');

interface WorkerReport {
  rows: number;
  seconds: number;
  maxRssBytes: number;
}

function child(args: string[]): WorkerReport {
  const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
  const line = result.stdout.split('\n').find((l) => l.startsWith('{'));
  return JSON.parse(line as string) as WorkerReport;
}

const RAW_ITERATE = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1], { readonly: true });
const started = performance.now();
let rows = 0;
for (const row of db.prepare('select id, pool_id, block_number, block_timestamp, tx_hash, tx_from_address, kind, from_token_address, to_token_address, from_token_amount, to_token_amount, price_from_in_usd, price_to_in_usd, price_from_in_currency_token, price_to_in_currency_token, volume_in_usd from trades order by pool_id, block_timestamp, id').raw(true).iterate()) rows += row.length ? 1 : 0;
console.log(JSON.stringify({ rows, seconds: (performance.now() - started) / 1000, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
`;

export async function run(args: string[]): Promise<void> {
  const rowsAt = args.indexOf('--rows');
  const count = rowsAt >= 0 ? Number(args[rowsAt + 1]) : 1_000_000;
  const dir = tempDir();
  const url = await databaseWithTrades(dir, count);
  const out = join(dir, 'trades.csv');
  const build = buildSources('bench-export');
  try {
    const raw = child(['-e', RAW_ITERATE, url.slice('sqlite:'.length)]);
    const rawRate = Math.round(raw.rows / raw.seconds);
    for (const [mode, prefix, root] of [['built', [], build.dist], ['tsx', ['--import', 'tsx'], join(ROOT, 'src')]] as const) {
      const floor = child([...prefix, WORKER, root, url, 'trades', 'csv', join(dir, 'none.csv'), 'no-such-pool']);
      const result = child([...prefix, WORKER, root, url, 'trades', 'csv', out]);
      if (result.rows !== count) throw new Error(`exported ${result.rows} rows, expected ${count}`);
      const rate = Math.round(result.rows / result.seconds);
      report({ bench: 'export', metric: `csv-rows-per-second-${mode}`, value: rate, unit: 'rows/s', baseline: 'raw-iterate', baselineValue: rawRate, ratio: ratio(rate, rawRate), rows: count });
      const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
      report({ bench: 'export', metric: `csv-peak-rss-${mode}`, value: mb(result.maxRssBytes), unit: 'MB', baseline: 'export-of-0-rows', baselineValue: mb(floor.maxRssBytes), ratio: ratio(result.maxRssBytes, floor.maxRssBytes), rows: count });
    }
  } finally {
    build.cleanup();
  }
}
