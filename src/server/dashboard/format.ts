/**
 * How the dashboard shows numbers and times. assets/dashboard.js formats live updates the same
 * way (keep the two in step: relative times, durations, bytes).
 */

export function relative(iso: string | null, now: number): string {
  if (!iso) return '—';
  const deltaS = Math.round((Date.parse(iso) - now) / 1000);
  const abs = Math.abs(deltaS);
  const text = abs < 90 ? `${abs} s` : abs < 5400 ? `${Math.round(abs / 60)} min` : abs < 172_800 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86_400)} d`;
  return deltaS <= 0 ? `${text} ago` : `in ${text}`;
}

export function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return seconds % 60 ? `${Math.floor(seconds / 60)}m${Math.round(seconds % 60)}s` : `${seconds / 60}m`;
  const m = Math.round((seconds % 3600) / 60);
  return m ? `${Math.floor(seconds / 3600)}h${m}m` : `${Math.floor(seconds / 3600)}h`;
}

/** "5m" when the interval is as configured, "7m30s (configured 5m)" when adaptive intervals stretched it. */
export function interval(now: number, configured: number | null): string {
  if (configured === null || configured === now) return duration(now);
  return `${duration(now)} (configured ${duration(configured)})`;
}

export function ms(value: number | null): string {
  if (value === null) return '—';
  return value < 10 ? `${value.toFixed(2)} ms` : `${Math.round(value)} ms`;
}

/** A run's duration: runs are recorded in whole seconds, so sub-second runs read "< 1 s". */
export function runDuration(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? '< 1 s' : duration(ms / 1000);
}

export function bytes(value: number | null): string {
  if (value === null) return '—';
  if (value < 1024) return `${value} B`;
  if (value < 1024 ** 2) return `${(value / 1024).toFixed(1)} KiB`;
  if (value < 1024 ** 3) return `${(value / 1024 ** 2).toFixed(1)} MiB`;
  return `${(value / 1024 ** 3).toFixed(2)} GiB`;
}

export function count(value: number | null): string {
  return value === null ? '—' : value.toLocaleString('en-US');
}

/** A decimal string shortened for a table cell (the API keeps every digit; people need ~6). */
export function decimal(value: string | null, digits = 6): string {
  if (value === null) return '—';
  const n = Number(value);
  if (!Number.isFinite(n)) return value;
  if (n !== 0 && Math.abs(n) < 10 ** -digits) return n.toExponential(2);
  return n.toLocaleString('en-US', { maximumSignificantDigits: digits });
}

export function time(iso: string | null): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—';
}
