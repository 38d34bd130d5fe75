import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { openStore } from '../../src/store/index.ts';
import { runGtc, spawnGtc } from '../support/gtc-cli.ts';
import { createPgDatabase, pgSkip, testPgUrl } from '../support/postgres.ts';
import { makeTrade } from '../support/records.ts';
import { tempDir } from '../support/temp-dir.ts';
import { filledStore } from '../server/fill-store.ts';

const SEVENTY_DIGITS = '1234567890123456789012345678901234567890.123456789012345678901234567890';
const TRADES = 60_000;

async function pgRows<T>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

test('gtc db copy --to postgres://…: resumable after a kill, equal counts, byte-exact decimals', pgSkip(), async (t) => {
  const target = await createPgDatabase(testPgUrl() as string, 'gtc_copy');
  t.after(() => target.drop());
  const filled = await filledStore();
  t.after(() => filled.cleanup());
  for (let from = 0; from < TRADES; from += 10_000) {
    await filled.store.write((tx) => tx.trades.insert(Array.from({ length: 10_000 }, (_, i) => makeTrade(from + i, `solana_pool${(from + i) % 7}`))));
  }
  await filled.store.write((tx) => tx.trades.insert([{ ...makeTrade(TRADES + 1), id: 'solana_exact', volumeInUsd: SEVENTY_DIGITS, priceToInUsd: '0.000012345678901234567890' }]));
  await filled.store.close();
  const dir = tempDir(t);
  const env = { GTC_DATABASE_URL: filled.url };

  // interrupted: killed once some batches have committed
  const first = spawnGtc(['db', 'copy', '--to', target.url, '--batch-size', '200'], { cwd: dir, env });
  for (let i = 0; ; i++) {
    const progress = await pgRows<{ n: string }>(target.url, `select count(*) as n from checkpoints where collector = 'gtc-db-copy' and key = 'trades'`).catch(() => [{ n: '0' }]);
    if (Number(progress[0]?.n) > 0) break;
    assert.ok(i < 600, 'the copy made progress within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  first.kill('SIGKILL');
  await once(first, 'exit');
  const partial = Number((await pgRows<{ n: string }>(target.url, 'select count(*) as n from trades'))[0]?.n);
  assert.ok(partial > 0 && partial < TRADES, `partial copy: ${partial} trades`);

  const resumed = runGtc(['db', 'copy', '--to', target.url, '--json'], { cwd: dir, env, timeoutMs: 120_000 });
  assert.equal(resumed.status, 0, resumed.stderr);
  const report = JSON.parse(resumed.stdout) as { equal: boolean; to: string; tables: { table: string; source: number; target: number; copied: number; equal: boolean }[] };
  assert.equal(report.equal, true);
  assert.ok(report.tables.every((r) => r.equal && r.source === r.target));
  const trades = report.tables.find((r) => r.table === 'trades');
  assert.equal(trades?.source, TRADES + 1);
  assert.ok((trades?.copied ?? 0) < TRADES + 1, `resumed: copied ${trades?.copied} trades the second time`);
  assert.equal(report.tables.find((r) => r.table === 'ohlcv')?.target, 800);

  // decimals byte-exact on a sample, compared as text with the SQLite source
  const exact = await pgRows<{ volume_in_usd: string; price_to_in_usd: string }>(target.url, `select volume_in_usd::text, price_to_in_usd::text from trades where id = 'solana_exact'`);
  assert.deepEqual(exact, [{ volume_in_usd: SEVENTY_DIGITS, price_to_in_usd: '0.000012345678901234567890' }]);
  const source = await openStore({ url: filled.url, migrate: false, checkpointEveryMs: 0 });
  const pgStore = await openStore({ url: target.url, migrate: false });
  try {
    for (const i of [0, 42, 12_345, TRADES - 1]) {
      const poolId = `solana_pool${i % 7}`;
      const id = `solana_${poolId}_trade${i}`;
      const [a] = (await source.read.trades.range(poolId, { limit: 100_000 })).filter((r) => r.id === id);
      const [b] = (await pgStore.read.trades.range(poolId, { limit: 100_000 })).filter((r) => r.id === id);
      assert.ok(a, id);
      assert.deepEqual(b, a);
    }
    const pools = await pgStore.read.pools.byIds(filled.pools.map((p) => p.id));
    assert.deepEqual(pools.map((p) => p.baseTokenPriceUsd), filled.pools.map(() => '0.000012345678901234567890'));
    // serial ids continue after the copied ones
    const before = Math.max(...(await pgStore.read.runs.recent({ limit: 100 })).map((r) => r.id));
    const id = await pgStore.write((tx) => tx.runs.start({ collector: 'after-copy', instanceId: 'test', startedAt: 1 }));
    assert.ok(id > before);
  } finally {
    await source.close();
    await pgStore.close();
  }
  // both export paths (SQLite iterate, PostgreSQL keyset pages) give the same bytes
  for (const dataset of ['trades', 'pools', 'ohlcv']) {
    const files = [join(dir, `${dataset}-sqlite.csv`), join(dir, `${dataset}-postgres.csv`)] as const;
    const fromSqlite = runGtc(['export', dataset, '--out', files[0]], { cwd: dir, env, timeoutMs: 120_000 });
    const fromPostgres = runGtc(['export', dataset, '--out', files[1]], { cwd: dir, env: { GTC_DATABASE_URL: target.url }, timeoutMs: 120_000 });
    assert.equal(fromSqlite.status, 0, fromSqlite.stderr);
    assert.equal(fromPostgres.status, 0, fromPostgres.stderr);
    const [a, b] = files.map((f) => readFileSync(f, 'utf8'));
    assert.ok((a?.length ?? 0) > 1000);
    assert.ok(a === b, `${dataset}: the PostgreSQL export differs from the SQLite export`);
  }
  const progressLeft = await pgRows<{ n: string }>(target.url, `select count(*) as n from checkpoints where collector = 'gtc-db-copy'`);
  assert.equal(Number(progressLeft[0]?.n), 0, 'the copy cleaned up its progress rows');
});
