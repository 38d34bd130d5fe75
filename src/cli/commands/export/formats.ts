/**
 * Export formats. Every writer takes pages of rows and writes them with backpressure, so memory
 * stays constant however many rows there are.
 * - csv: RFC 4180, one header line, times as ISO 8601 UTC, formula-like cells neutralised;
 * - jsonl: one JSON object per line, decimals as the exact strings stored;
 * - qlib: one CSV per pool, `datetime,symbol,open,high,low,close,volume` (OHLCV only).
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { csvLine } from '../../output/csv.ts';
import { endStream, writeWithBackpressure } from '../../output/write.ts';
import { datasetColumns, timeColumns, type Dataset, type Row } from './rows.ts';

export type ExportFormat = 'csv' | 'jsonl' | 'qlib';

export interface ExportWriter {
  writePage(rows: readonly Row[]): Promise<void>;
  end(): Promise<void>;
}

const isoTime = (seconds: unknown): string | null => (seconds === null || seconds === undefined ? null : new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z'));

function withTimes(dataset: Dataset): (row: Row) => Row {
  const times = timeColumns(dataset);
  return (row) => {
    const out: Row = { ...row };
    for (const column of times) out[column] = isoTime(row[column]);
    return out;
  };
}

export function csvWriter(stream: Writable, dataset: Dataset): ExportWriter {
  const columns = datasetColumns(dataset);
  const convert = withTimes(dataset);
  let headerWritten = false;
  return {
    async writePage(rows) {
      let text = headerWritten ? '' : csvLine(columns);
      headerWritten = true;
      for (const row of rows) {
        const r = convert(row);
        text += csvLine(columns.map((c) => r[c]));
      }
      await writeWithBackpressure(stream, text);
    },
    async end() {
      if (!headerWritten) await writeWithBackpressure(stream, csvLine(columns));
      await endStream(stream);
    },
  };
}

export function jsonlWriter(stream: Writable, dataset: Dataset): ExportWriter {
  const columns = datasetColumns(dataset);
  const convert = withTimes(dataset);
  return {
    async writePage(rows) {
      let text = '';
      for (const row of rows) {
        const r = convert(row);
        text += `${JSON.stringify(Object.fromEntries(columns.map((c) => [c, r[c] ?? null])))}\n`;
      }
      await writeWithBackpressure(stream, text);
    },
    end: () => endStream(stream),
  };
}

/** A file name for a pool id (ids are `network_address`; anything else is replaced). */
export function poolFileName(poolId: string): string {
  return `${poolId.replace(/[^A-Za-z0-9_.-]/g, '_')}.csv`;
}

/** qlib's CSV layout, one file per pool in `dir`; rows must come ordered by pool (they do: keyset order). */
export function qlibWriter(dir: string, timeframe: string, onFile?: (path: string) => void): ExportWriter {
  const daily = timeframe === '1d';
  let current: { poolId: string; stream: Writable } | undefined;
  const datetime = (seconds: unknown): string => {
    const iso = new Date(Number(seconds) * 1000).toISOString();
    return daily ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  };
  const open = async (poolId: string): Promise<Writable> => {
    if (current) await endStream(current.stream);
    const path = join(dir, poolFileName(poolId));
    const stream = createWriteStream(path);
    onFile?.(path);
    current = { poolId, stream };
    await writeWithBackpressure(stream, csvLine(['datetime', 'symbol', 'open', 'high', 'low', 'close', 'volume']));
    return stream;
  };
  return {
    async writePage(rows) {
      let text = '';
      let stream = current?.stream;
      for (const row of rows) {
        const poolId = String(row.pool_id);
        if (poolId !== current?.poolId) {
          if (stream && text) await writeWithBackpressure(stream, text);
          text = '';
          stream = await open(poolId);
        }
        text += csvLine([datetime(row.ts), poolId, row.open, row.high, row.low, row.close, row.volume_usd]);
      }
      if (stream && text) await writeWithBackpressure(stream, text);
    },
    async end() {
      if (current) await endStream(current.stream);
    },
  };
}
