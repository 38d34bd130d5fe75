/**
 * OHLCV rows are JSON numbers with up to 17+ significant digits; JSON.parse would round them to
 * doubles and Node 20 has no access to the source text of a parsed number. So before parsing,
 * every number token outside a string is wrapped in quotes: JSON.parse then yields each number as
 * the exact lexeme the API sent. Strings, literals and structure are untouched.
 */

const QUOTE = 34;
const BACKSLASH = 92;
const MINUS = 45;

function isNumberChar(code: number): boolean {
  // 0-9 . e E + -
  return (code >= 48 && code <= 57) || code === 46 || code === 101 || code === 69 || code === 43 || code === MINUS;
}

/** The index just past the string starting at `start` (a quote), or -1 when it is not terminated. */
function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const close = text.indexOf('"', from);
    if (close < 0) return -1;
    let backslashes = 0;
    for (let i = close - 1; i > start && text.charCodeAt(i) === BACKSLASH; i--) backslashes++;
    if (backslashes % 2 === 0) return close + 1;
    from = close + 1;
  }
}

/**
 * `text` with each number token outside strings turned into a string holding the same characters.
 * Invalid JSON stays invalid (an unterminated string is left as is), so JSON.parse still reports it.
 */
export function quoteNumbers(text: string): string {
  const parts: string[] = [];
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      const end = stringEnd(text, i);
      if (end < 0) break;
      i = end;
    } else if (code === MINUS || (code >= 48 && code <= 57)) {
      let end = i + 1;
      while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
      parts.push(text.slice(copied, i), '"', text.slice(i, end), '"');
      copied = end;
      i = end;
    } else {
      i++;
    }
  }
  parts.push(text.slice(copied));
  return parts.join('');
}
