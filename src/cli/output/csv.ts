/**
 * CSV cells for spreadsheets. Token names come from the chain: a name like `=HYPERLINK("http://x")`
 * would be a formula in Excel or LibreOffice, so a cell starting with = + - @ (or tab / carriage
 * return, which some spreadsheets skip before reading one) is prefixed with a single quote.
 * Numbers the database holds are written as they are: a negative amount stays a number.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV cell: neutralised when it could be read as a formula, quoted when it must be (RFC 4180). */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  let text = String(value);
  if (FORMULA_START.test(text) && !isPlainNumber(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) || text.startsWith(' ') || text.endsWith(' ') ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Decimal strings from the database ("-0.5", "1e-7") are numbers, not formulas. */
function isPlainNumber(text: string): boolean {
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text);
}

/** A CSV line with CRLF ending, as RFC 4180 asks. */
export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
