import { Command } from 'commander';
import { action, loadCliConfig, rememberSecrets, UsageError } from '../context.ts';

/**
 * `gtc db health|monitor|backup|restore|copy`. Each subcommand's module (database drivers and all)
 * is imported only when it runs.
 */
export function dbCommand(): Command {
  const db = new Command('db').description('database health, monitoring, backup and restore, copy to PostgreSQL');
  const config = (command: Command) => {
    const loaded = loadCliConfig(command);
    rememberSecrets(loaded);
    return loaded.config;
  };

  db.command('health')
    .description('connectivity, latency, write-lock wait, WAL and checkpoints, a quick integrity check, and recommendations')
    .option('--json', 'print JSON')
    .action(action(async (options: { json?: boolean }, command: Command) => (await import('./db/health.ts')).runDbHealth(config(command), options)));

  db.command('monitor')
    .description('probe the database every interval and alert when the write-lock wait is too long (Ctrl-C stops)')
    .option('--interval <duration>', 'time between probes', '5s')
    .option('--duration <duration>', 'stop after this long (default: until interrupted)')
    .option('--alert-lock-wait-ms <ms>', 'alert when acquiring the write lock takes longer', '1000')
    .option('--json', 'print one JSON object per probe')
    .action(action(async (options: { interval?: string; duration?: string; alertLockWaitMs?: string; json?: boolean }, command: Command) => (await import('./db/monitor.ts')).runDbMonitor(config(command), options)));

  db.command('backup <file>')
    .description('copy the SQLite database to FILE with the online backup API (consistent while gtc runs)')
    .option('--force', 'replace FILE if it exists')
    .option('--json', 'print JSON')
    .action(action(async (file: string, options: { force?: boolean; json?: boolean }, command: Command) => {
      await (await import('./db/backup.ts')).backupDatabase(config(command), file, options);
    }));

  db.command('restore <file>')
    .description('replace the SQLite database with the backup FILE (refused while a daemon runs; the old file is kept)')
    .option('--force', 'restore even though a daemon seems to be running')
    .option('--json', 'print JSON')
    .action(action(async (file: string, options: { force?: boolean; json?: boolean }, command: Command) => {
      await (await import('./db/backup.ts')).restoreDatabase(config(command), file, options);
    }));

  db.command('copy')
    .description('copy the SQLite database into PostgreSQL: batched, resumable, counts verified at the end')
    .requiredOption('--to <url>', 'target database, postgres://user@host:5432/name')
    .option('--batch-size <rows>', 'rows per transaction', '2000')
    .option('--restart', 'ignore the progress of an earlier, interrupted copy')
    .option('--json', 'print JSON')
    .action(action(async (options: { to: string; batchSize: string; restart?: boolean; json?: boolean }, command: Command) => {
      const batchSize = Number(options.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`--batch-size must be a whole number above 0, got ${JSON.stringify(options.batchSize)}.`);
      await (await import('./db/copy.ts')).copyToPostgres(config(command), { ...options, batchSize });
    }));

  return db;
}
