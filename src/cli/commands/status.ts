import { Command } from 'commander';
import type { StatusReport } from '../../monitor/status.ts';
import { action, loadCliConfig, printJson, rememberSecrets } from '../context.ts';
import { paint, relativeTime, renderTable, seconds, stateColour } from '../output/table.ts';

/** `gtc status`: the collectors, database, API budget and gaps, as the daemon last recorded them. */
export function statusCommand(): Command {
  return new Command('status')
    .description('show collector states, database health, API budget and open gaps (read from the database)')
    .option('--json', 'print the same JSON object as GET /api/status')
    .action(
      action(async (options: { json?: boolean }, command: Command) => {
        const loaded = loadCliConfig(command);
        rememberSecrets(loaded);
        const [{ openExistingStore }, { statusFromDatabase }] = await Promise.all([import('./db/open.ts'), import('../../monitor/health.ts')]);
        const store = await openExistingStore(loaded.config);
        let report: StatusReport;
        try {
          report = await statusFromDatabase({ config: loaded.config, store });
        } finally {
          await store.close();
        }
        if (options.json) printJson(report);
        else process.stdout.write(renderStatus(report, Boolean(process.stdout.isTTY)));
        if (!report.database.ok) process.exitCode = 1;
      }),
    );
}

export function renderStatus(report: StatusReport, colour: boolean): string {
  const now = Date.parse(report.generatedAt);
  const collectors = report.collectors.length
    ? renderTable(report.collectors, [
        { header: 'INSTANCE', value: (c) => c.name },
        { header: 'STATE', value: (c) => c.state, colour: (c) => stateColour(c.state) },
        { header: 'LAST SUCCESS', value: (c) => relativeTime(c.lastSuccessAt, now) },
        { header: 'NEXT RUN', value: (c) => relativeTime(c.nextRunAt, now) },
        { header: 'FAILURES', value: (c) => String(c.consecutiveFailures), align: 'right' },
        { header: 'INTERVAL', value: (c) => (c.configuredIntervalSeconds !== null && c.configuredIntervalSeconds !== c.intervalSeconds ? `${seconds(c.intervalSeconds)} (configured ${seconds(c.configuredIntervalSeconds)})` : seconds(c.intervalSeconds)) },
        { header: 'LAST ERROR', value: (c) => c.lastError ?? '' },
      ], { colour })
    : 'No collector has recorded a state yet (has gtc start run on this database?).\n';
  const d = report.database;
  const db = d.ok
    ? `${d.dialect}, reachable; query ${d.latencyMs} ms, write lock ${d.writeLockWaitMs} ms${d.walSizeBytes !== null ? `, WAL ${(d.walSizeBytes / 1024 / 1024).toFixed(1)} MiB` : ''}`
    : paint(`${d.dialect}, NOT reachable: ${d.error ?? 'unknown error'}`, 'red', colour);
  const a = report.api;
  const api = `${a.remainingToday === null ? 'no shared budget recorded' : `${a.remainingToday.toLocaleString('en-US')} of ${a.dailyLimit.toLocaleString('en-US')} calls left today`}; limit ${a.limitPerMinute}/min`;
  const gaps = report.gaps.open ? paint(`${report.gaps.open} open (see GET /api/gaps)`, 'yellow', colour) : 'none open';
  return `${collectors}\nDatabase  ${db}\nAPI       ${api}\nGaps      ${gaps}\n`;
}
