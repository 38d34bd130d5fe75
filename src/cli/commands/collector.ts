import { Command } from 'commander';
import { action, loadCliConfig, rememberSecrets, UsageError } from '../context.ts';

/**
 * `gtc collector disable|enable NAME`: only a person disables a collector instance; a running
 * daemon sees the flag before its next run.
 */
export function collectorCommand(): Command {
  const collector = new Command('collector').description('disable or enable a collector instance (e.g. top-pools:solana)');
  for (const verb of ['disable', 'enable'] as const) {
    collector
      .command(`${verb} <name>`)
      .description(verb === 'disable' ? 'stop running NAME until it is enabled again' : 'let NAME run again on its schedule')
      .action(
        action(async (name: string, _options: unknown, command: Command) => {
          const loaded = loadCliConfig(command);
          rememberSecrets(loaded);
          const [{ openExistingStore }, { setCollectorDisabled }] = await Promise.all([import('./db/open.ts'), import('../../runtime/store-records.ts')]);
          const store = await openExistingStore(loaded.config);
          try {
            const known = (await store.read.collectorState.list()).map((s) => s.collector);
            if (!known.includes(name) && !/^[a-z-]+(:[a-z0-9_-]+)*$/.test(name)) {
              throw new UsageError(`"${name}" is not a collector instance name; known instances: ${known.join(', ') || 'none yet'}.`);
            }
            await setCollectorDisabled(store, name, verb === 'disable');
            const note = known.includes(name) ? '' : ' (it has not run yet; the flag applies when it first does)';
            process.stdout.write(`Collector ${name} ${verb}d${note}.\n`);
          } finally {
            await store.close();
          }
        }),
      );
  }
  return collector;
}
