/**
 * JSON text with number lexemes written verbatim. The API's OHLCV rows are JSON numbers with up
 * to 20 significant digits; JSON.stringify would rewrite them (1.6e-5), so response bodies hold
 * RawNumber where the exact lexeme matters and are serialised here.
 */
export class RawNumber {
  constructor(readonly lexeme: string) {
    if (!/^-?\d+(\.\d+)?$/.test(lexeme)) throw new Error(`not a plain JSON number: ${lexeme}`);
  }
}

export function toJsonText(value: unknown): string {
  if (value instanceof RawNumber) return value.lexeme;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  const parts: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${toJsonText(item)}`);
  }
  return `{${parts.join(',')}}`;
}
