/** Tables for people on a terminal: aligned columns, a dim header, colour only when the stream is a TTY. */

export interface Column<R> {
  header: string;
  value: (row: R) => string;
  /** Right-align numbers. */
  align?: 'left' | 'right';
  /** ANSI colour for a cell, applied only on a terminal. */
  colour?: (row: R) => Colour | undefined;
}

export type Colour = 'red' | 'green' | 'yellow' | 'blue' | 'grey';

const CODES: Record<Colour | 'bold' | 'dim', [number, number]> = { red: [31, 39], green: [32, 39], yellow: [33, 39], blue: [34, 39], grey: [90, 39], bold: [1, 22], dim: [2, 22] };

export function paint(text: string, style: Colour | 'bold' | 'dim' | undefined, enabled: boolean): string {
  if (!enabled || !style) return text;
  const [on, off] = CODES[style];
  return `\u001b[${on}m${text}\u001b[${off}m`;
}

/** Control characters (from chain data) must not move the cursor or recolour the terminal. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\uFFFD');
}

/** Renders rows under their headers with two spaces between columns; `colour` follows the stream. */
export function renderTable<R>(rows: readonly R[], columns: readonly Column<R>[], options: { colour?: boolean } = {}): string {
  const colour = options.colour ?? false;
  const cells = rows.map((row) => columns.map((c) => printable(c.value(row))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] as string).length)));
  const pad = (text: string, i: number): string => (columns[i]?.align === 'right' ? text.padStart(widths[i] as number) : text.padEnd(widths[i] as number));
  const header = columns.map((c, i) => pad(c.header, i)).join('  ').trimEnd();
  const lines = [paint(header, 'bold', colour)];
  rows.forEach((row, r) => {
    const line = columns.map((c, i) => paint(pad((cells[r] as string[])[i] as string, i), c.colour?.(row), colour)).join('  ');
    lines.push(colour ? line.replace(/\s+$/, '') : line.trimEnd());
  });
  return `${lines.join('\n')}\n`;
}

/** A colour for a collector or breaker state. */
export function stateColour(state: string | null | undefined): Colour | undefined {
  switch (state) {
    case 'healthy':
    case 'closed':
    case 'ok':
      return 'green';
    case 'degraded':
    case 'half-open':
      return 'yellow';
    case 'suspended':
    case 'open':
    case 'failed':
      return 'red';
    case 'disabled':
      return 'grey';
    default:
      return undefined;
  }
}

/** "3 min ago", "in 12 s": relative times for people, from ISO strings. */
export function relativeTime(iso: string | null, now = Date.now()): string {
  if (!iso) return '-';
  const deltaS = Math.round((Date.parse(iso) - now) / 1000);
  const abs = Math.abs(deltaS);
  const text = abs < 90 ? `${abs} s` : abs < 5400 ? `${Math.round(abs / 60)} min` : abs < 172_800 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86_400)} d`;
  return deltaS <= 0 ? `${text} ago` : `in ${text}`;
}

/** Seconds as the shortest readable duration ("45s", "5m", "1h30m"). */
export function seconds(value: number | null): string {
  if (value === null) return '-';
  if (value < 60) return `${Math.round(value)}s`;
  if (value < 3600) return value % 60 ? `${Math.floor(value / 60)}m${Math.round(value % 60)}s` : `${value / 60}m`;
  const m = Math.round((value % 3600) / 60);
  return m ? `${Math.floor(value / 3600)}h${m}m` : `${Math.floor(value / 3600)}h`;
}
