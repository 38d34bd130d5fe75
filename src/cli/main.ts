#!/usr/bin/env node
/**
 * The `gtc` command line. Each command lives in its own file under commands/; only the file of the
 * command being run is imported (its options and arguments are registered there, and it imports
 * its heavy modules, database drivers and HTTP server, only when it runs), so `gtc status` starts
 * quickly. Help and unknown commands load them all.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Every command, in the order of the help text, with the import of the module defining it. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  init: async () => (await import('./commands/init.ts')).initCommand(),
  migrate: async () => (await import('./commands/migrate.ts')).migrateCommand(),
  config: async () => (await import('./commands/config.ts')).configCommand(),
  start: async () => (await import('./commands/start.ts')).startCommand(),
  demo: async () => (await import('./commands/demo.ts')).demoCommand(),
  collect: async () => (await import('./commands/collect.ts')).collectCommand(),
  backfill: async () => (await import('./commands/backfill.ts')).backfillCommand(),
  watchlist: async () => (await import('./commands/watchlist.ts')).watchlistCommand(),
  status: async () => (await import('./commands/status.ts')).statusCommand(),
  collector: async () => (await import('./commands/collector.ts')).collectorCommand(),
  db: async () => (await import('./commands/db.ts')).dbCommand(),
  export: async () => (await import('./commands/export.ts')).exportCommand(),
  sim: async () => (await import('./commands/sim.ts')).simCommand(),
};

/** The options of the program itself that take a value (the value is not a command name). */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['-c', '--config']);

/**
 * The commands whose modules this invocation needs: the named command alone; none for a bare
 * `--version`; all of them otherwise (help lists them, and an unknown name gets suggestions).
 * Commander still parses the arguments; this only decides what to import first.
 */
function commandsToLoad(args: readonly string[]): string[] {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') break;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return Object.hasOwn(COMMANDS, arg) ? [arg] : Object.keys(COMMANDS);
  }
  const versionOnly = args.some((a) => a === '-V' || a === '--version') && !args.some((a) => a === '-h' || a === '--help');
  return versionOnly ? [] : Object.keys(COMMANDS);
}

async function buildProgram(args: readonly string[]): Promise<Command> {
  const program = new Command('gtc')
    .description('Collects DEX market data from the GeckoTerminal API into SQLite or PostgreSQL, completely and exactly.')
    .version(packageJson.version)
    .option('-c, --config <file>', 'configuration file (default: $GTC_CONFIG or ./gtc.config.yaml)')
    .showHelpAfterError('(run with --help for usage)');
  const commands = await Promise.all(commandsToLoad(args).map((name) => (COMMANDS[name] as () => Promise<Command>)()));
  for (const command of commands) program.addCommand(command);
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

await (await buildProgram(process.argv.slice(2))).parseAsync(process.argv);
