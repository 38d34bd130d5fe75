/** One benchmark result line (design.md §10): a value and the baseline measured in the same run. */
export interface ReportLine {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  baseline?: string;
  baselineValue?: number;
  ratio?: number;
  [extra: string]: unknown;
}

/** Prints one JSON line on stdout. */
export function report(line: ReportLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** value / baselineValue rounded to 3 decimals (0 when the baseline is 0). */
export function ratio(value: number, baselineValue: number): number {
  return baselineValue === 0 ? 0 : Math.round((value / baselineValue) * 1000) / 1000;
}
