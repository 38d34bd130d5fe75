import { Command } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import { DEFAULT_CONFIG_FILE } from '../../config/index.ts';
import { action, loadCliConfig, rememberSecrets, UsageError } from '../context.ts';
import { migrateDatabase } from './migrate.ts';

/** The starting configuration: design.md §9 with every default spelled out and explained. */
const CONFIG_TEMPLATE = `# gtc configuration. Every key is optional; shown values are the defaults.
# Environment variables win over this file: GTC_DATABASE_URL, GTC_API_BASE_URL, GTC_API_KEY,
# GTC_HTTP_HOST, GTC_HTTP_PORT, GTC_HTTP_TOKEN, GTC_LOG_LEVEL. Keep secrets (the API key) in the environment.
database:
  url: "sqlite:./data/gtc.sqlite"   # or postgres://user@host:5432/db
  synchronous: NORMAL               # FULL also syncs the WAL on every commit (survives power loss)
api:
  baseUrl: "https://api.geckoterminal.com/api/v2"
  requestsPerMinute: 30
  dailyLimit: 10000
  timeoutMs: 15000
networks: [solana]
collectors:
  dexes:     { interval: 1h }
  top-pools: { interval: 5m, dexes: [pumpswap, raydium], pages: 1 }
  new-pools: { interval: 5m }
  watchlist: { interval: 5m }
  ohlcv:     { interval: 15m, timeframes: [5m, 1h, 1d] }
  trades:    { interval: 10m, minVolumeUsd: 0 }
  discovery: { interval: 1h, minReserveUsd: 10000, minVolume24hUsd: 50000, maxWatched: 200 }
recovery: { failureThreshold: 3, retryBackoff: [2s, 60s], probeInterval: 5s }
server: { host: 127.0.0.1, port: 8080 }
alerts: { webhooks: [] }
`;

/** `gtc init`: write a starting configuration file and create the database with its schema. */
export function initCommand(): Command {
  return new Command('init')
    .description(`write ${DEFAULT_CONFIG_FILE} with the defaults and create the database`)
    .option('--force', 'overwrite an existing configuration file')
    .action(
      action(async (options: { force?: boolean }, command: Command) => {
        const file = command.parent?.opts<{ config?: string }>().config ?? DEFAULT_CONFIG_FILE;
        if (existsSync(file) && !options.force) throw new UsageError(`${file} already exists; pass --force to overwrite it.`);
        writeFileSync(file, CONFIG_TEMPLATE);
        process.stdout.write(`Wrote ${file}.\n`);
        const loaded = loadCliConfig(command);
        rememberSecrets(loaded);
        await migrateDatabase(loaded.config);
      }),
    );
}
