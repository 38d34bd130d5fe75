import { existsSync } from 'node:fs';
import type { GtcConfig } from '../../../config/index.ts';
import { GtcError } from '../../../lib/errors.ts';
import type { Store } from '../../../store/index.ts';

/**
 * Opens the configured database for a command that reads or maintains it: never creates a SQLite
 * file that is not there (a typo in the path must not look like an empty database) and runs no
 * background checkpoint timer. Imported lazily so commands start fast.
 */
export async function openExistingStore(config: GtcConfig, options: { migrate?: boolean; url?: string } = {}): Promise<Store> {
  const { openStore, parseDatabaseUrl, storeOptionsFromConfig } = await import('../../../store/index.ts');
  const url = options.url ?? config.database.url;
  const target = parseDatabaseUrl(url);
  if (target.dialect === 'sqlite' && target.path !== ':memory:' && !existsSync(target.path)) {
    throw new GtcError('db-down', `There is no database at ${target.path}; run gtc migrate (or gtc start) first, or point GTC_DATABASE_URL at the right file.`);
  }
  return openStore({ ...storeOptionsFromConfig(config.database), url, migrate: options.migrate ?? false, checkpointEveryMs: 0 });
}
