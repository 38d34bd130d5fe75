/**
 * `npm run bench -- ingest [--pools 30]`: pages per second from the HTTP response to committed
 * rows — JSON parsing, validation, mapping, the write transaction with its checkpoint and run
 * counters — for trade pages (up to 300 trades) and OHLCV pages (up to 1000 candles), against
 * the simulator with its rate limit off. The time requests spend in flight (the simulator
 * generating its answer) is measured and left out.
 *
 * Baseline (`raw-driver`, the storage benchmark's raw rate): the same rows, in the same pages,
 * written by a better-sqlite3 prepared statement in a loop, one transaction per page, into a fresh
 * file — what the database alone costs.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { buildCollectors } from '../src/collectors/index.ts';
import { openStore, type CandleRecord, type TradeRecord } from '../src/store/index.ts';
import { CANDLES } from '../src/store/repositories/ohlcv.ts';
import { TRADES } from '../src/store/repositories/trades.ts';
import { runOnce, startHarness, watchPools, type Harness } from '../test/collectors/support/harness.ts';
import { tempDir } from '../test/support/temp-dir.ts';
import { ratio, report } from './lib/report.ts';
import { timeRawSqlite, type Kind } from './storage.ts';

const RAW_PAGE = 1000;
const WARM_UP = 3;

export async function run(args: string[]): Promise<void> {
  const at = args.indexOf('--pools');
  const pools = at >= 0 ? Number(args[at + 1]) : 30;
  const dir = tempDir();
  const h = await startHarness({
    dir,
    sim: { seed: 'ingest', requestsPerMinute: 0, poolsPerNetwork: 200 },
    config: { api: { requestsPerMinute: 100_000 }, collectors: { ohlcv: { timeframes: ['1m'], backfillDays: 7 } } },
  });
  try {
    // Busy pools, so trade pages are full (300) and candle pages long; the first few only warm up
    // (module loading, JIT, statement preparation) and are not measured.
    const all = await watchPools(h, WARM_UP + pools, (perDay) => perDay >= 1500);
    const ids = all.slice(WARM_UP);
    for (const collector of ['trades', 'ohlcv'] as const) {
      await setActive(h, all.slice(0, WARM_UP), true);
      for (const poolId of all.slice(0, WARM_UP)) {
        const [warmUp] = buildCollectors(h.deps, { collectors: [collector], force: true, poolId });
        await runOnce(h, warmUp!);
      }
      await setActive(h, all.slice(0, WARM_UP), false);
      const [instance] = buildCollectors(h.deps, { collectors: [collector], force: true });
      const httpBefore = h.driver.httpMs;
      const started = performance.now();
      const summary = await runOnce(h, instance!);
      const ingestMs = performance.now() - started - (h.driver.httpMs - httpBefore);
      const value = summary.pages / (ingestMs / 1000);
      const rows = collector === 'trades'
        ? await Promise.all(ids.map((id) => h.store.read.trades.range(id)))
        : await Promise.all(ids.map((id) => h.store.read.candles.range(id, '1m')));
      const pages = toPages(rows.flat(), summary.pages);
      const baselineValue = await rawPagesPerSecond(join(dir, `raw-${collector}.sqlite`), collector, pages);
      report({
        bench: 'ingest', metric: `${collector}.pages_per_s`, value: Math.round(value), unit: 'pages/s', baseline: 'raw-driver', baselineValue: Math.round(baselineValue),
        ratio: ratio(value, baselineValue), pages: summary.pages, rowsPerPage: Math.round(summary.rowsWritten / Math.max(1, summary.pages)), httpMsLeftOut: Math.round(h.driver.httpMs - httpBefore),
      });
    }
  } finally {
    await h.close();
  }
}

async function setActive(h: Harness, ids: readonly string[], active: boolean): Promise<void> {
  await h.store.write(async (tx) => {
    for (const id of ids) await tx.watchlist.setActive(id, active, 0);
  });
}

/** The stored rows cut into as many pages as were ingested (the same page sizes on average). */
function toPages<R>(rows: R[], count: number): R[][] {
  const size = Math.ceil(rows.length / Math.max(1, count));
  const pages: R[][] = [];
  for (let i = 0; i < rows.length; i += size) pages.push(rows.slice(i, i + size));
  return pages;
}

async function rawPagesPerSecond(file: string, kind: 'trades' | 'ohlcv', pages: (TradeRecord | CandleRecord)[][]): Promise<number> {
  await (await openStore({ url: `sqlite:${file}`, checkpointEveryMs: 0 })).close();
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  try {
    const spec = (kind === 'trades' ? TRADES : CANDLES) as Kind<TradeRecord | CandleRecord>['spec'];
    const rowsPerSecond = timeRawSqlite(db, { name: kind === 'trades' ? 'trades' : 'candles', spec, make: () => { throw new Error('unused'); }, write: () => Promise.resolve(0) }, pages);
    // timeRawSqlite counts 1000 rows per page: back to pages per second.
    return rowsPerSecond / RAW_PAGE;
  } finally {
    db.close();
  }
}
