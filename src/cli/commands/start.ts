import { Command } from 'commander';
import { action, loadCliConfig, rememberSecrets } from '../context.ts';

/** `gtc start`: migrate, then run every configured collector under the supervisor, with the HTTP server. */
export function startCommand(): Command {
  return new Command('start')
    .description('run the collectors unattended (scheduler, supervisor, HTTP server and dashboard) until SIGINT/SIGTERM')
    .action(
      action(async (_options, command: Command) => {
        const loaded = loadCliConfig(command);
        rememberSecrets(loaded);
        const { startDaemonApp } = await import('../daemon-app.ts');
        const app = await startDaemonApp({ config: loaded.config });
        app.logger.info({ dashboard: app.server?.url ?? null, database: app.store.dialect }, 'gtc started');
        if (app.server) process.stderr.write(`gtc: collecting; dashboard at ${app.server.url}/\n`);
        await app.done;
      }),
    );
}
