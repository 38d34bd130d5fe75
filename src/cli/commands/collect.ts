import { Command } from 'commander';
import type { CollectorDeps, CollectorInstance, RunSummary } from '../../collectors/index.ts';
import type { CollectorName, GtcConfig } from '../../config/index.ts';
import { errorMessage } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import { action, loadCliConfig, printJson, rememberSecrets, UsageError } from '../context.ts';
import { renderTable } from '../output/table.ts';

/** What a one-off collector command works with; `close()` releases the database. */
export interface CollectorSession {
  deps: CollectorDeps;
  logger: Logger;
  close(): Promise<void>;
}

/**
 * Opens the database (migrating it, as `gtc start` does), and the API client with the call budget
 * shared through the database, so a one-off command and a running daemon stay inside one limit.
 */
export async function openCollectorSession(config: GtcConfig, secrets: readonly string[]): Promise<CollectorSession> {
  const [{ openStore, storeOptionsFromConfig }, { createApiClient, apiClientOptions }, { DatabaseBudgetStore }, { processOwnerId }, { createLogger }, { systemClock }] = await Promise.all([
    import('../../store/index.ts'), import('../../api/index.ts'), import('../../runtime/budget-store.ts'), import('../../runtime/store-records.ts'), import('../../lib/log.ts'), import('../../lib/clock.ts'),
  ]);
  const logger = createLogger({ level: config.log.level, secrets });
  const store = await openStore({ ...storeOptionsFromConfig(config.database), checkpointEveryMs: 0 });
  const api = createApiClient({ ...apiClientOptions(config.api), budgetStore: new DatabaseBudgetStore(store, logger) });
  const deps: CollectorDeps = { api, store, config, clock: systemClock, instanceId: processOwnerId() };
  return { deps, logger, close: () => store.close() };
}

/** Aborted on the first SIGINT/SIGTERM, so a one-off run stops after the page being written. */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}

export interface InstanceOutcome extends RunSummary {
  instance: string;
  runId: number;
  status: 'ok' | 'failed';
  error?: string;
}

/** Runs one instance once, with its collection_runs row (the counts each page added stay on it). */
export async function runRecorded(session: CollectorSession, instance: CollectorInstance, signal: AbortSignal, collector = instance.name): Promise<InstanceOutcome> {
  const { store, clock, instanceId } = session.deps;
  const seconds = (): number => Math.floor(clock.now() / 1000);
  const runId = await store.write((tx) => tx.runs.start({ collector, instanceId, startedAt: seconds() }));
  const logger = session.logger.child({ instance: instance.name, runId });
  try {
    const summary = await instance.run({ runId, signal, clock, logger });
    await store.write((tx) => tx.runs.finish(runId, { finishedAt: seconds(), status: 'ok' }));
    return { instance: instance.name, runId, status: 'ok', ...summary };
  } catch (error) {
    const message = errorMessage(error);
    await store.write((tx) => tx.runs.finish(runId, { finishedAt: seconds(), status: 'failed', error: message }));
    const run = await store.read.runs.get(runId);
    return { instance: instance.name, runId, status: 'failed', error: message, rowsWritten: run?.rowsWritten ?? 0, rejected: run?.rejected ?? 0, rejections: [], pages: 0, apiCalls: 0 };
  }
}

interface CollectOptions {
  network?: string;
  dex?: string;
  pool?: string;
  json?: boolean;
}

/** `gtc collect <collector>`: one run now, then what it stored and rejected (with reasons). */
export function collectCommand(): Command {
  return new Command('collect')
    .description('run one collection now and report what was stored and rejected')
    .argument('<collector>', 'a collector of the configuration: dexes, top-pools, new-pools, watchlist, ohlcv, trades or discovery')
    .option('--network <id>', 'only this network (per-network collectors; "all" for the all-network new pools)')
    .option('--dex <id>', 'top-pools: only the top pools of this DEX')
    .option('--pool <id>', 'watchlist, ohlcv, trades: only this watched pool ({network}_{address})')
    .option('--json', 'print the outcome as JSON')
    .action(
      action(async (name: string, options: CollectOptions, command: Command) => {
        const loaded = loadCliConfig(command);
        rememberSecrets(loaded);
        const names = Object.keys(loaded.config.collectors);
        if (!names.includes(name)) throw new UsageError(`Unknown collector "${name}"; choose one of ${names.join(', ')}.`);
        const { secretsOf } = await import('../../config/index.ts');
        const { buildCollectors } = await import('../../collectors/index.ts');
        const session = await openCollectorSession(loaded.config, secretsOf(loaded.config));
        const outcomes: InstanceOutcome[] = [];
        try {
          const instances = buildCollectors(session.deps, {
            collectors: [name as CollectorName],
            force: true,
            ...(options.network === undefined ? {} : { network: options.network }),
            ...(options.dex === undefined ? {} : { dex: options.dex }),
            ...(options.pool === undefined ? {} : { poolId: options.pool }),
          });
          const signal = interruptSignal();
          for (const instance of instances) outcomes.push(await runRecorded(session, instance, signal));
        } finally {
          await session.close();
        }
        if (options.json) printJson({ runs: outcomes });
        else process.stdout.write(renderOutcomes(outcomes));
        if (outcomes.some((o) => o.status === 'failed')) process.exitCode = 1;
      }),
    );
}

export function renderOutcomes(outcomes: readonly InstanceOutcome[]): string {
  if (outcomes.length === 0) return 'Nothing to collect for that selection.\n';
  let text = renderTable(outcomes, [
    { header: 'INSTANCE', value: (o) => o.instance },
    { header: 'STATUS', value: (o) => o.status },
    { header: 'STORED', value: (o) => String(o.rowsWritten), align: 'right' },
    { header: 'REJECTED', value: (o) => String(o.rejected), align: 'right' },
    { header: 'PAGES', value: (o) => String(o.pages), align: 'right' },
    { header: 'API CALLS', value: (o) => String(o.apiCalls), align: 'right' },
  ]);
  for (const o of outcomes) {
    for (const r of o.rejections) text += `rejected in ${r.source}, item ${r.index}${r.id ? ` (${r.id})` : ''}: ${r.reason}\n`;
    if (o.rejected > o.rejections.length) text += `… and ${o.rejected - o.rejections.length} more rejections of ${o.instance} (see the log)\n`;
    if (o.error) text += `${o.instance} failed: ${o.error}\n`;
  }
  return text;
}
