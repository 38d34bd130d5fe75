/** Migrations: idempotent, and several processes migrating one fresh database end with one schema. */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { defer } from '../support/cleanup.ts';
import { sql } from 'kysely';
import { openStore, TABLE_NAMES, type Store } from '../../src/store/index.ts';
import { jsonLines, runTs } from '../support/child.ts';
import { DIALECTS } from './dialects.ts';

const MIGRATOR = fileURLToPath(new URL('./workers/migrate.ts', import.meta.url));

async function tableNames(store: Store): Promise<string[]> {
  const query = store.dialect === 'sqlite'
    ? sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`
    : sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public'`;
  return (await query.execute(store.db)).rows.map((r) => r.name).sort();
}

const EXPECTED_TABLES = [...TABLE_NAMES, 'kysely_migration', 'kysely_migration_lock'].sort();

for (const dialect of DIALECTS) {
  describe(`migrations on ${dialect.name}`, { skip: dialect.skip }, () => {
    test('apply every table once; running again changes nothing', async (t) => {
      const url = await dialect.freshUrl(t);
      assert.ok(url);
      const store = await openStore({ url, migrate: false });
      defer(t, () => store.close());
      assert.deepEqual(await store.pendingMigrations(), ['0001-initial']);
      assert.deepEqual(await store.migrate(), ['0001-initial']);
      assert.deepEqual(await store.migrate(), []);
      assert.deepEqual(await store.pendingMigrations(), []);
      assert.deepEqual(await tableNames(store), EXPECTED_TABLES);
      const again = await openStore({ url });
      assert.deepEqual(await again.migrate(), []);
      await again.close();
    });

    test('3 processes migrating one fresh database at once end with one correct schema', { timeout: 30_000 }, async (t) => {
      const url = await dialect.freshUrl(t);
      assert.ok(url);
      const startAt = String(Date.now() + 2500);
      const results = await Promise.all([0, 1, 2].map(() => runTs(MIGRATOR, [url, startAt])));
      for (const r of results) assert.equal(r.code, 0, r.stderr);
      const applied = results.map((r) => jsonLines<{ applied: string[] }>(r.stdout)[0]?.applied);
      assert.deepEqual(applied.flat(), ['0001-initial'], `exactly one process applied the migration: ${JSON.stringify(applied)}`);
      const store = await openStore({ url, migrate: false });
      defer(t, () => store.close());
      assert.deepEqual(await tableNames(store), EXPECTED_TABLES);
      const rows = await sql<{ name: string }>`select name from kysely_migration`.execute(store.db);
      assert.deepEqual(rows.rows.map((r) => r.name), ['0001-initial']);
      assert.deepEqual(await store.pendingMigrations(), []);
    });
  });
}
