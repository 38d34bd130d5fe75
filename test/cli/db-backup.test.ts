import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { openStore } from '../../src/store/index.ts';
import { spawnTs } from '../support/child.ts';
import { runGtc } from '../support/gtc-cli.ts';
import { tempDir } from '../support/temp-dir.ts';

const BATCH = 200;

/** Integrity, trades and the writer's batch checkpoint of a SQLite file, read-only. */
function inspect(file: string): { integrity: string; trades: number; batches: number } {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    return {
      integrity: db.prepare('pragma integrity_check').pluck().get() as string,
      trades: db.prepare('select count(*) from trades').pluck().get() as number,
      batches: Number(db.prepare(`select value from checkpoints where collector = 'writer' and key = 'batches'`).pluck().get() ?? 0),
    };
  } finally {
    db.close();
  }
}

test('backup while a daemon-like process writes → consistent snapshot; restore refused while it runs, then restores that snapshot', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'gtc.sqlite');
  const env = { GTC_DATABASE_URL: `sqlite:${file}` };
  await (await openStore({ url: env.GTC_DATABASE_URL, checkpointEveryMs: 0 })).close();

  const writer = spawnTs(fileURLToPath(new URL('./db-writer-worker.ts', import.meta.url)), [env.GTC_DATABASE_URL]);
  t.after(() => writer.kill('SIGKILL'));
  let output = '';
  writer.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  writer.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  await new Promise<void>((resolve, reject) => {
    writer.stdout.on('data', () => output.includes('ready') && resolve());
    writer.on('exit', () => reject(new Error(`the writer exited: ${output}`)));
  });

  const backupFile = join(dir, 'backup.sqlite');
  const backup = runGtc(['db', 'backup', backupFile, '--json'], { cwd: dir, env });
  assert.equal(backup.status, 0, backup.stderr);
  const reported = JSON.parse(backup.stdout) as { integrity: string; counts: Record<string, number> };
  const snapshot = inspect(backupFile);
  assert.equal(snapshot.integrity, 'ok');
  assert.ok(snapshot.batches >= 5);
  // the snapshot is one commit: every batch whole, and exactly the batches its checkpoint counts
  assert.equal(snapshot.trades, snapshot.batches * BATCH);
  assert.equal(reported.counts.trades, snapshot.trades);

  const refused = runGtc(['db', 'restore', backupFile], { cwd: dir, env });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^gtc: Refusing to restore while a daemon uses .*process \d+ on this machine.*pass --force\.\n$/);
  assert.ok(inspect(file).batches > snapshot.batches, 'the writer kept writing after the backup');

  writer.kill('SIGKILL');
  await once(writer, 'exit');
  const restored = runGtc(['db', 'restore', backupFile], { cwd: dir, env });
  assert.equal(restored.status, 0, restored.stderr);
  assert.match(restored.stdout, /The replaced database is kept as /);
  assert.deepEqual(inspect(file), snapshot);
});
