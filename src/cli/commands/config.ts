import { Command } from 'commander';
import { stringify } from 'yaml';
import { redactConfig } from '../../config/index.ts';
import { action, loadCliConfig, printJson, rememberSecrets } from '../context.ts';

/** `gtc config check|show`: validate the configuration, or print it with secrets masked. */
export function configCommand(): Command {
  const config = new Command('config').description('check or show the configuration (file + environment)');

  config
    .command('check')
    .description('validate the configuration; exit code 2 and one sentence naming the key when it is wrong')
    .action(
      action((_options, command: Command) => {
        const loaded = loadCliConfig(command);
        rememberSecrets(loaded);
        const source = loaded.file ? `${loaded.file} and the environment` : 'defaults and the environment (no configuration file)';
        process.stdout.write(`Configuration is valid (${source}).\n`);
      }),
    );

  config
    .command('show')
    .description('print the effective configuration, every key with its value, secrets redacted')
    .option('--json', 'print JSON instead of YAML')
    .action(
      action((options: { json?: boolean }, command: Command) => {
        const loaded = loadCliConfig(command);
        rememberSecrets(loaded);
        const shown = redactConfig(loaded.config);
        if (options.json) printJson(shown);
        else process.stdout.write(stringify(shown));
      }),
    );

  return config;
}
