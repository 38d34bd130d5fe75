/**
 * JSON text with number lexemes written verbatim. The API's OHLCV rows are JSON numbers with up
 * to 20 significant digits; JSON.stringify would rewrite them (1.6e-5), so response bodies hold
 * RawNumber where the exact lexeme matters. JSON.stringify writes a RawNumber as a marked string
 * (toJSON), and the marks and quotes are then removed.
 */
const MARK = '\u0000raw:';
const MARKED = /"\\u0000raw:(-?\d+(?:\.\d+)?)"/g;

export class RawNumber {
  constructor(readonly lexeme: string) {
    if (!/^-?\d+(\.\d+)?$/.test(lexeme)) throw new Error(`not a plain JSON number: ${lexeme}`);
  }

  toJSON(): string {
    return `${MARK}${this.lexeme}`;
  }
}

export function toJsonText(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.includes('\\u0000raw:') ? text.replace(MARKED, '$1') : text;
}
