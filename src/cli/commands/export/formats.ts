/**
 * Export formats. Every writer takes pages of rows and writes them with backpressure, so memory
 * stays constant however many rows there are.
 * - csv: RFC 4180, one header line, times as ISO 8601 UTC, formula-like cells neutralised;
 * - jsonl: one JSON object per line, decimals as the exact strings stored;
 * - qlib: one CSV per pool, `datetime,symbol,open,high,low,close,volume` (OHLCV only).
 */
import { join } from 'node:path';
import { csvLine } from '../../output/csv.ts';
import { fileSink, type TextSink } from '../../output/write.ts';
import { datasetColumns, timeColumns, type Dataset } from './rows.ts';

/**
 * Text is written in chunks of about this many characters: small enough to stay in V8's young
 * generation (a multi-megabyte string goes straight to the large-object space and lingers until
 * a full GC, which is what made memory grow with the row count).
 */
const CHUNK = 64 * 1024;

export type ExportFormat = 'csv' | 'jsonl' | 'qlib';

/** A row as an array in `datasetColumns` order. */
type Row = unknown[];

export interface ExportWriter {
  writePage(rows: readonly Row[]): Promise<void>;
  end(): Promise<void>;
}

const isoTime = (seconds: unknown): string | null => (seconds === null || seconds === undefined ? null : new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z'));

/** Replaces unix seconds by ISO times in the dataset's time columns (in place: rows are not reused). */
function withTimes(dataset: Dataset): (row: Row) => Row {
  const columns = datasetColumns(dataset);
  const times = timeColumns(dataset).map((c) => columns.indexOf(c));
  return (row) => {
    for (const i of times) row[i] = isoTime(row[i]);
    return row;
  };
}

export function csvWriter(sink: TextSink, dataset: Dataset): ExportWriter {
  const columns = datasetColumns(dataset);
  const convert = withTimes(dataset);
  let headerWritten = false;
  return {
    async writePage(rows) {
      let text = headerWritten ? '' : csvLine(columns);
      headerWritten = true;
      for (const row of rows) {
        text += csvLine(convert(row));
        if (text.length >= CHUNK) {
          await sink.write(text);
          text = '';
        }
      }
      await sink.write(text);
    },
    async end() {
      if (!headerWritten) await sink.write(csvLine(columns));
      await sink.end();
    },
  };
}

export function jsonlWriter(sink: TextSink, dataset: Dataset): ExportWriter {
  const columns = datasetColumns(dataset);
  const keys = columns.map((c) => JSON.stringify(c));
  const convert = withTimes(dataset);
  return {
    async writePage(rows) {
      let text = '';
      for (const row of rows) {
        const r = convert(row);
        let line = '{';
        for (let i = 0; i < columns.length; i++) line += `${i ? ',' : ''}${keys[i]}:${JSON.stringify(r[i] ?? null)}`;
        text += `${line}}\n`;
        if (text.length >= CHUNK) {
          await sink.write(text);
          text = '';
        }
      }
      await sink.write(text);
    },
    end: () => sink.end(),
  };
}

/** A file name for a pool id (ids are `network_address`; anything else is replaced). */
export function poolFileName(poolId: string): string {
  return `${poolId.replace(/[^A-Za-z0-9_.-]/g, '_')}.csv`;
}

/** qlib's CSV layout, one file per pool in `dir`; rows must come ordered by pool (they do: keyset order). */
export function qlibWriter(dir: string, timeframe: string, onFile?: (path: string) => void): ExportWriter {
  const daily = timeframe === '1d';
  const [pool, ts, open, high, low, close, volume] = ['pool_id', 'ts', 'open', 'high', 'low', 'close', 'volume_usd'].map((c) => datasetColumns('ohlcv').indexOf(c)) as number[];
  let current: { poolId: string; sink: TextSink } | undefined;
  const datetime = (seconds: unknown): string => {
    const iso = new Date(Number(seconds) * 1000).toISOString();
    return daily ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  };
  const openFile = async (poolId: string): Promise<TextSink> => {
    if (current) await current.sink.end();
    const path = join(dir, poolFileName(poolId));
    const sink = fileSink(path);
    onFile?.(path);
    current = { poolId, sink };
    await sink.write(csvLine(['datetime', 'symbol', 'open', 'high', 'low', 'close', 'volume']));
    return sink;
  };
  return {
    async writePage(rows) {
      let text = '';
      let sink = current?.sink;
      for (const row of rows) {
        const poolId = String(row[pool as number]);
        if (poolId !== current?.poolId) {
          if (sink && text) await sink.write(text);
          text = '';
          sink = await openFile(poolId);
        }
        text += csvLine([datetime(row[ts as number]), poolId, row[open as number], row[high as number], row[low as number], row[close as number], row[volume as number]]);
      }
      if (sink && text) await sink.write(text);
    },
    async end() {
      if (current) await current.sink.end();
    },
  };
}
