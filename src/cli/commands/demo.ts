import { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig, type GtcConfig } from '../../config/index.ts';
import { action, UsageError } from '../context.ts';

interface DemoOptions {
  port: string;
  db?: string;
  seed: string;
  watch: string;
  keep?: boolean;
}

/** The demo's configuration: the simulator as the API, short intervals, a temporary database. */
function demoConfig(simUrl: string, databaseFile: string, port: number): GtcConfig {
  return validateConfig({
    database: { url: `sqlite:${databaseFile}` },
    api: { baseUrl: simUrl, requestsPerMinute: 120, burst: 5, budgetKey: 'demo' },
    networks: ['solana'],
    collectors: {
      dexes: { interval: '5m' },
      'top-pools': { interval: '1m', dexes: ['pumpswap', 'raydium'] },
      'new-pools': { interval: '1m' },
      watchlist: { interval: '30s' },
      ohlcv: { interval: '30s', timeframes: ['1m', '5m', '15m', '1h'], backfillDays: 1 },
      trades: { interval: '30s', minPollInterval: '30s' },
      discovery: { interval: '2m', maxWatched: 20 },
    },
    server: { port },
    log: { level: process.env.GTC_LOG_LEVEL ?? 'warn' },
  });
}

/** `gtc demo`: the simulator, a daemon on a temporary SQLite database, and the dashboard — offline, one command. */
export function demoCommand(): Command {
  return new Command('demo')
    .description('offline demo: built-in simulator + collectors + dashboard on a temporary SQLite database')
    .option('--port <port>', 'dashboard port (falls back to a free port when taken)', '8080')
    .option('--db <file>', 'SQLite file to use instead of a temporary one (kept afterwards)')
    .option('--seed <seed>', 'simulator seed', 'demo')
    .option('--watch <n>', 'pools to put on the watchlist at start', '8')
    .option('--keep', 'keep the temporary database when the demo stops')
    .action(
      action(async (options: DemoOptions) => {
        const port = Number(options.port);
        const watch = Number(options.watch);
        if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port must be a port number from 0 to 65535, got "${options.port}".`);
        if (!Number.isInteger(watch) || watch < 0 || watch > 200) throw new UsageError(`--watch must be a whole number from 0 to 200, got "${options.watch}".`);
        const { startSimulator } = await import('../../sim/index.ts');
        const { startDaemonApp } = await import('../daemon-app.ts');
        const folder = options.db ? undefined : mkdtempSync(join(tmpdir(), 'gtc-demo-'));
        const databaseFile = options.db ?? join(folder as string, 'gtc-demo.sqlite');
        const sim = await startSimulator({ seed: options.seed, requestsPerMinute: 120, poolsPerNetwork: 60 });
        const config = demoConfig(sim.url, databaseFile, port);
        const seedWatchlist = async ({ store }: { store: import('../../store/index.ts').Store }): Promise<void> => {
          const busiest = sim.market.truth.pools().sort((a, b) => b.tradesPerDay - a.tradesPerDay).slice(0, watch);
          const now = Math.floor(Date.now() / 1000);
          await store.write((tx) => tx.watchlist.upsert(busiest.map((pool) => ({
            poolId: pool.id, active: true, source: 'manual' as const, score: null, addedAt: now, updatedAt: now,
            symbol: null, name: pool.name, note: 'gtc demo', belowSince: null,
          }))));
        };
        let app;
        try {
          app = await startDaemonApp({ config, beforeStart: seedWatchlist });
        } catch (error) {
          if (!(error instanceof Error && /already in use/.test(error.message)) || port === 0) throw error;
          app = await startDaemonApp({ config, beforeStart: seedWatchlist, port: 0 });
        }
        process.stdout.write(`gtc demo: dashboard at ${app.server?.url ?? '(server disabled)'}/\n`);
        process.stdout.write(`gtc demo: simulated GeckoTerminal API at ${sim.url}; database ${databaseFile}\n`);
        process.stdout.write('gtc demo: press Ctrl+C to stop.\n');
        await app.done;
        await sim.close();
        if (folder && !options.keep) rmSync(folder, { recursive: true, force: true });
      }),
    );
}
