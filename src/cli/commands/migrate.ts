import { Command } from 'commander';
import { redactUrl, type GtcConfig } from '../../config/index.ts';
import { action, loadCliConfig, rememberSecrets } from '../context.ts';

/** Opens the configured database, applies pending migrations and reports it. */
export async function migrateDatabase(config: GtcConfig): Promise<void> {
  const { openStore, storeOptionsFromConfig } = await import('../../store/index.ts');
  const store = await openStore({ ...storeOptionsFromConfig(config.database), migrate: false });
  try {
    const applied = await store.migrate();
    const what = applied.length ? `applied ${applied.join(', ')}` : 'already up to date';
    process.stdout.write(`Database ${redactUrl(config.database.url)}: ${what}.\n`);
  } finally {
    await store.close();
  }
}

/** `gtc migrate`: apply the schema migrations (also done at every start-up). */
export function migrateCommand(): Command {
  return new Command('migrate').description('create or upgrade the database schema (idempotent)').action(
    action(async (_options, command: Command) => {
      const loaded = loadCliConfig(command);
      rememberSecrets(loaded);
      await migrateDatabase(loaded.config);
    }),
  );
}
