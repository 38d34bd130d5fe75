import { Argument, Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import type { GtcConfig } from '../../config/index.ts';
import { TIMEFRAMES } from '../../config/index.ts';
import { GtcError } from '../../lib/errors.ts';
import { action, loadCliConfig, rememberSecrets, UsageError } from '../context.ts';
import type { ExportFormat } from './export/formats.ts';
import type { Dataset, ExportFilter, ExportSource } from './export/rows.ts';

export interface ExportOptions {
  format: ExportFormat;
  pool?: string;
  timeframe?: string;
  since?: string;
  until?: string;
  out?: string;
}

/** A time for --since/--until: unix seconds, a date (2025-01-31) or an ISO time (UTC unless it names a zone). */
export function parseTime(text: string, flag: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const zoned = /T.*(Z|[+-]\d\d:?\d\d)$/i.test(trimmed) || !trimmed.includes('T') ? trimmed : `${trimmed}Z`;
  const ms = Date.parse(zoned);
  if (!/^\d{4}-\d\d-\d\d/.test(trimmed) || Number.isNaN(ms)) throw new UsageError(`${flag} must be a date such as 2025-01-31, a UTC time such as 2025-01-31T12:00:00Z, or unix seconds, got ${JSON.stringify(text)}.`);
  return Math.floor(ms / 1000);
}

export async function runExport(config: GtcConfig, dataset: Dataset, options: ExportOptions): Promise<number> {
  if (options.format === 'qlib' && dataset !== 'ohlcv') throw new UsageError('--format qlib exports candles: use gtc export ohlcv --format qlib --out DIR.');
  if (options.format === 'qlib' && !options.out) throw new UsageError('--format qlib writes one CSV per pool: give the folder with --out DIR.');
  if (options.timeframe && dataset !== 'ohlcv') throw new UsageError('--timeframe applies to gtc export ohlcv only.');
  const filter: ExportFilter = {
    ...(options.pool ? { poolId: options.pool } : {}),
    ...(options.timeframe ? { timeframe: options.timeframe } : options.format === 'qlib' ? { timeframe: '1d' } : {}),
    ...(options.since ? { since: parseTime(options.since, '--since') } : {}),
    ...(options.until ? { until: parseTime(options.until, '--until') } : {}),
  };
  if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until) throw new UsageError('--since must be before --until.');

  const [formats, { createProgress }, fs] = await Promise.all([import('./export/formats.ts'), import('../output/progress.ts'), import('node:fs')]);
  const source = await openSource(config);
  try {
    let writer;
    let files = 0;
    if (options.format === 'qlib') {
      fs.mkdirSync(options.out as string, { recursive: true });
      writer = formats.qlibWriter(options.out as string, filter.timeframe as string, () => files++);
    } else {
      const { fileSink, streamSink } = await import('../output/write.ts');
      let sink;
      try {
        sink = options.out ? fileSink(options.out) : streamSink(process.stdout);
      } catch (error) {
        throw new UsageError(`Cannot write ${options.out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; check that its folder exists and is writable.`);
      }
      writer = options.format === 'jsonl' ? formats.jsonlWriter(sink, dataset) : formats.csvWriter(sink, dataset);
    }
    // A progress bar only when the data goes to a file and a person watches the terminal.
    const progress = options.out ? createProgress(`Exporting ${dataset}`) : undefined;
    if (progress && process.stdout.isTTY) progress.setTotal(await source.count(dataset, filter));
    let total = 0;
    for await (const page of source.pages(dataset, filter)) {
      await writer.writePage(page);
      total += page.length;
      progress?.tick(page.length);
    }
    await writer.end();
    progress?.done();
    if (options.out) process.stdout.write(`Exported ${total.toLocaleString('en-US')} ${dataset === 'ohlcv' ? 'candles' : dataset} to ${options.out}${options.format === 'qlib' ? ` (${files} files)` : ''}.\n`);
    return total;
  } finally {
    await source.close();
  }
}

/** SQLite files are streamed through a read-only connection of their own; PostgreSQL through the store. */
async function openSource(config: GtcConfig): Promise<ExportSource> {
  const [{ parseDatabaseUrl }, rows] = await Promise.all([import('../../store/url.ts'), import('./export/rows.ts')]);
  const target = parseDatabaseUrl(config.database.url);
  if (target.dialect === 'sqlite') {
    if (!existsSync(target.path)) throw new GtcError('db-down', `There is no database at ${target.path}; point GTC_DATABASE_URL at the gtc database to export from.`);
    return rows.sqliteSource(target.path);
  }
  const { openExistingStore } = await import('./db/open.ts');
  return rows.storeSource(await openExistingStore(config));
}

/** `gtc export ohlcv|trades|pools --format csv|jsonl|qlib`: stream data out for other tools. */
export function exportCommand(): Command {
  return new Command('export')
    .description('export candles, trades or pools as CSV, JSON lines, or qlib CSVs (streamed: constant memory)')
    .addArgument(new Argument('<dataset>', 'ohlcv, trades or pools').choices(['ohlcv', 'trades', 'pools']))
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'jsonl', 'qlib']).default('csv'))
    .option('--pool <id>', 'only this pool (e.g. solana_<address>)')
    .addOption(new Option('--timeframe <timeframe>', 'ohlcv only: one timeframe (qlib default 1d)').choices([...TIMEFRAMES]))
    .option('--since <time>', 'from this time (inclusive): 2025-01-31, 2025-01-31T12:00:00Z or unix seconds')
    .option('--until <time>', 'up to this time (exclusive)')
    .option('--out <path>', 'file to write (qlib: a folder); default standard output')
    .action(
      action(async (dataset: Dataset, options: ExportOptions, command: Command) => {
        const loaded = loadCliConfig(command);
        rememberSecrets(loaded);
        process.stdout.on('error', (error: NodeJS.ErrnoException) => {
          // the reader went away (`gtc export … | head`): stop quietly
          if (error.code === 'EPIPE') process.exit(0);
        });
        await runExport(loaded.config, dataset, options);
      }),
    );
}
