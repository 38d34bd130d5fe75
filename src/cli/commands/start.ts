import { Command } from 'commander';
import { ScaledClock, type Clock } from '../../lib/clock.ts';
import { action, loadCliConfig, rememberSecrets, UsageError } from '../context.ts';

/**
 * Test-harness hooks, deliberately not in the user documentation (bench/chaos uses them):
 *   GTC_CLOCK_SPEED      run on simulated time this many times faster than real time
 *   GTC_CLOCK_START_MS   the simulated time (epoch ms) at the anchor (default: now)
 *   GTC_CLOCK_ANCHOR_MS  the real time (epoch ms) of the anchor (default: now), so several
 *                        processes and the simulator agree on the simulated time
 *   GTC_EMULATE_REPLACED_SYSTEM=1  the chaos baseline (see DaemonAppOptions.emulateReplacedSystem)
 */
interface HarnessHooks {
  clock?: Clock;
  emulateReplacedSystem?: boolean;
  notes: string[];
}

function harnessHooks(env: NodeJS.ProcessEnv): HarnessHooks {
  const hooks: HarnessHooks = { notes: [] };
  if (env.GTC_CLOCK_SPEED !== undefined) {
    const number = (name: string, fallback: number): number => {
      const text = env[name];
      const value = text === undefined ? fallback : Number(text);
      if (!Number.isFinite(value) || (name === 'GTC_CLOCK_SPEED' && !(value > 0))) throw new UsageError(`${name} must be a number${name === 'GTC_CLOCK_SPEED' ? ' > 0' : ' (epoch ms)'}, got "${text}".`);
      return value;
    };
    const now = Date.now();
    const speed = number('GTC_CLOCK_SPEED', 1);
    hooks.clock = new ScaledClock(number('GTC_CLOCK_START_MS', now), speed, Date.now, number('GTC_CLOCK_ANCHOR_MS', now));
    hooks.notes.push(`accelerated clock ×${speed} (GTC_CLOCK_SPEED): for the test harness only`);
  }
  if (env.GTC_EMULATE_REPLACED_SYSTEM === '1') {
    hooks.emulateReplacedSystem = true;
    hooks.notes.push('emulating the replaced system (GTC_EMULATE_REPLACED_SYSTEM): for the chaos baseline only');
  }
  return hooks;
}

/** `gtc start`: migrate, then run every configured collector under the supervisor, with the HTTP server. */
export function startCommand(): Command {
  return new Command('start')
    .description('run the collectors unattended (scheduler, supervisor, HTTP server and dashboard) until SIGINT/SIGTERM')
    .action(
      action(async (_options, command: Command) => {
        const loaded = loadCliConfig(command);
        rememberSecrets(loaded);
        const { notes, ...hooks } = harnessHooks(process.env);
        const { startDaemonApp } = await import('../daemon-app.ts');
        const app = await startDaemonApp({ config: loaded.config, ...hooks });
        for (const note of notes) app.logger.warn(note);
        app.logger.info({ dashboard: app.server?.url ?? null, database: app.store.dialect }, 'gtc started');
        if (app.server) process.stderr.write(`gtc: collecting; dashboard at ${app.server.url}/\n`);
        await app.done;
      }),
    );
}
