import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from '../schema.ts';
import type { Dialect } from '../url.ts';
import { initialMigration } from './0001-initial.ts';

/** Every migration, in order. Names are stored in `kysely_migration`; never rename one. */
function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return {
    '0001-initial': initialMigration(dialect),
  };
}

/** A static provider: migrations are imported code, not files discovered at run time. */
class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return migrationsFor(this.dialect);
  }
}

/** Names of all migrations this build knows, in order (for "migrations current" checks). */
export const MIGRATION_NAMES: readonly string[] = Object.keys(migrationsFor('sqlite'));

/**
 * Applies pending migrations. On PostgreSQL, Kysely holds an advisory lock for the whole run so
 * several processes may migrate at once; on SQLite the caller runs this inside BEGIN IMMEDIATE.
 */
export async function migrateToLatest(db: Kysely<Database>, dialect: Dialect): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  // The original error, so the write policy can tell a busy database from a broken migration.
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Migrations applied to the database (empty when the migration table does not exist yet). */
export async function appliedMigrations(db: Kysely<Database>, dialect: Dialect): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider(dialect) });
  const all = await migrator.getMigrations();
  return all.filter((m) => m.executedAt !== undefined).map((m) => m.name);
}
