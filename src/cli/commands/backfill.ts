import { Command } from 'commander';
import { TIMEFRAMES, type Timeframe } from '../../config/index.ts';
import { errorMessage } from '../../lib/errors.ts';
import { action, loadCliConfig, printJson, rememberSecrets, UsageError } from '../context.ts';

interface BackfillCliOptions {
  pool?: string;
  watchlist?: boolean;
  timeframe: string;
  days: string;
  json?: boolean;
}

/**
 * `gtc backfill ohlcv`: history of one pool or every watched pool, `--days` back, inside the API
 * budget. Resumable: stopped (Ctrl-C, a crash), it continues where it stopped when run again.
 */
export function backfillCommand(): Command {
  const command = new Command('backfill').description('fetch history the collectors have not (resumable, inside the API budget)');
  command
    .command('ohlcv')
    .description('backfill OHLCV candles of a pool or of the watchlist')
    .option('--pool <id>', 'one pool ({network}_{address})')
    .option('--watchlist', 'every active watched pool')
    .requiredOption('--timeframe <tf>', `candle timeframe: ${TIMEFRAMES.join(', ')}`)
    .requiredOption('--days <n>', 'how many days back')
    .option('--json', 'print the outcome as JSON')
    .action(action(async (options: BackfillCliOptions, cmd: Command) => {
      if (Boolean(options.pool) === Boolean(options.watchlist)) throw new UsageError('Give either --pool ID or --watchlist.');
      if (!(TIMEFRAMES as readonly string[]).includes(options.timeframe)) throw new UsageError(`--timeframe must be one of ${TIMEFRAMES.join(', ')}, got "${options.timeframe}".`);
      const days = Number(options.days);
      if (!Number.isInteger(days) || days < 1 || days > 365) throw new UsageError(`--days must be a whole number from 1 to 365, got "${options.days}".`);
      const timeframe = options.timeframe as Timeframe;
      const loaded = loadCliConfig(cmd);
      rememberSecrets(loaded);
      const [{ openCollectorSession, interruptSignal }, { backfillOhlcv }, { splitPoolId, watchedRefs }, { secretsOf }, { createProgress }] = await Promise.all([
        import('./collect.ts'), import('../../collectors/index.ts'), import('../../collectors/pool-ids.ts'), import('../../config/index.ts'), import('../output/progress.ts'),
      ]);
      const session = await openCollectorSession(loaded.config, secretsOf(loaded.config));
      const { store, clock, instanceId } = session.deps;
      const seconds = (): number => Math.floor(clock.now() / 1000);
      try {
        const networks = new Set([...loaded.config.networks, ...(await store.read.dexes.list()).map((d) => d.network)]);
        const pools = options.pool
          ? [splitPoolId(options.pool, networks) ?? usage(`"${options.pool}" does not start with a known network (${[...networks].join(', ')}); write it as {network}_{address}.`)]
          : watchedRefs(await store.read.watchlist.list(), loaded.config.networks).refs;
        if (pools.length === 0) throw new UsageError('The watchlist has no active pools; add some with gtc watchlist add.');
        const runId = await store.write((tx) => tx.runs.start({ collector: 'backfill:ohlcv', instanceId, startedAt: seconds() }));
        const progress = createProgress(`backfill ${timeframe}`);
        try {
          const result = await backfillOhlcv(session.deps, { runId, signal: interruptSignal(), clock, logger: session.logger.child({ runId }) }, {
            pools, timeframe, days,
            onProgress: (p) => {
              progress.setTotal(p.pagesTotal);
              progress.tick();
            },
          });
          progress.done();
          await store.write((tx) => tx.runs.finish(runId, { finishedAt: seconds(), status: 'ok' }));
          if (options.json) printJson({ runId, ...result });
          else {
            process.stdout.write(`Backfilled ${timeframe} candles of ${result.pools} of ${pools.length} pool${pools.length === 1 ? '' : 's'}: ${result.candles} candles stored in ${result.pages} pages (${result.apiCalls} API calls), ${result.rejected} rejected.\n`);
            for (const r of result.rejections) process.stdout.write(`rejected in ${r.source}, item ${r.index}: ${r.reason}\n`);
          }
        } catch (error) {
          progress.done();
          await store.write((tx) => tx.runs.finish(runId, { finishedAt: seconds(), status: 'failed', error: errorMessage(error) }));
          throw new Error(`Backfill stopped: ${errorMessage(error)}; what was fetched is stored, run the same command again to continue.`, { cause: error });
        }
      } finally {
        await session.close();
      }
    }));
  return command;
}

function usage(message: string): never {
  throw new UsageError(message);
}
