#!/usr/bin/env node
/**
 * The `gtc` command line. Each command lives in its own file under commands/ and imports its heavy
 * modules (database drivers, HTTP server) only when it runs, so `gtc status` starts quickly.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { backfillCommand } from './commands/backfill.ts';
import { collectCommand } from './commands/collect.ts';
import { collectorCommand } from './commands/collector.ts';
import { configCommand } from './commands/config.ts';
import { dbCommand } from './commands/db.ts';
import { demoCommand } from './commands/demo.ts';
import { exportCommand } from './commands/export.ts';
import { initCommand } from './commands/init.ts';
import { migrateCommand } from './commands/migrate.ts';
import { simCommand } from './commands/sim.ts';
import { startCommand } from './commands/start.ts';
import { statusCommand } from './commands/status.ts';
import { watchlistCommand } from './commands/watchlist.ts';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

function buildProgram(): Command {
  const program = new Command('gtc')
    .description('Collects DEX market data from the GeckoTerminal API into SQLite or PostgreSQL, completely and exactly.')
    .version(packageJson.version)
    .option('-c, --config <file>', 'configuration file (default: $GTC_CONFIG or ./gtc.config.yaml)')
    .showHelpAfterError('(run with --help for usage)');

  for (const command of [
    initCommand(),
    migrateCommand(),
    configCommand(),
    startCommand(),
    demoCommand(),
    collectCommand(),
    backfillCommand(),
    watchlistCommand(),
    statusCommand(),
    collectorCommand(),
    dbCommand(),
    exportCommand(),
    simCommand(),
  ]) program.addCommand(command);
  applyUsageExitCode(program);
  return program;
}

/** Bad arguments exit with code 2 (like bad configuration); --help and --version with 0. */
function applyUsageExitCode(command: Command): void {
  command.exitOverride((error: CommanderError) => {
    const ok = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help';
    process.exit(ok ? 0 : 2);
  });
  for (const sub of command.commands) applyUsageExitCode(sub);
}

await buildProgram().parseAsync(process.argv);
