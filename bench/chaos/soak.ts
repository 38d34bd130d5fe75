/**
 * Soak figures from a pass's samples: resident memory per daemon process (peak and trend, a
 * least-squares slope over its life after warm-up), the largest WAL, and how linear the
 * database size is in the number of data rows.
 */
import type { RssSample } from './cluster.ts';
import type { SoakSample } from './pass.ts';

const DAY = 86_400_000;

export interface SoakResult {
  peakRssMb: number;
  /** Steepest RSS trend of any daemon process that lived at least `minLifeMs` (MB per simulated day). */
  rssSlopeMbPerDay: number | null;
  /**
   * The same, fitted on the last third of each life only: whether the growth goes on or levels
   * off once caches and the heap have reached their working size.
   */
  rssSlopeLastThirdMbPerDay: number | null;
  /** Processes the slope was fitted on, and their simulated life in hours. */
  rssProcesses: { pid: number; hours: number; slopeMbPerDay: number; lastThirdSlopeMbPerDay: number | null; firstMb: number; lastMb: number }[];
  walMaxBytes: number;
  /** dbBytes ≈ a + b × rows: b (bytes per row) and R². */
  bytesPerRow: number | null;
  sizeFitR2: number | null;
  finalDbBytes: number;
  finalRows: number;
}

export function fit(points: readonly { x: number; y: number }[]): { slope: number; intercept: number; r2: number } | undefined {
  const n = points.length;
  if (n < 3) return undefined;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
    syy += (p.y - my) ** 2;
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

export function soakResult(rss: readonly RssSample[], samples: readonly SoakSample[], minLifeMs: number): SoakResult {
  const byPid = new Map<number, RssSample[]>();
  for (const s of rss) byPid.set(s.pid, [...(byPid.get(s.pid) ?? []), s]);
  const processes: SoakResult['rssProcesses'] = [];
  for (const [pid, list] of byPid) {
    const first = list[0] as RssSample;
    const last = list.at(-1) as RssSample;
    const life = last.at - first.at;
    if (life < minLifeMs) continue;
    // The first 10% of a life is start-up (modules loading, caches filling), not a trend.
    const steady = list.filter((s) => s.at >= first.at + life * 0.1);
    const points = steady.map((s) => ({ x: (s.at - first.at) / DAY, y: s.rssMb }));
    const line = fit(points);
    const lastThird = fit(points.slice(Math.floor((points.length * 2) / 3)));
    if (line) processes.push({ pid, hours: Math.round(life / 360_000) / 10, slopeMbPerDay: round(line.slope), lastThirdSlopeMbPerDay: lastThird ? round(lastThird.slope) : null, firstMb: round(steady[0]?.rssMb ?? 0), lastMb: round(last.rssMb) });
  }
  const lastThirds = processes.flatMap((p) => (p.lastThirdSlopeMbPerDay === null ? [] : [p.lastThirdSlopeMbPerDay]));
  const growing = samples.filter((s) => s.dataRows > 0);
  const size = fit(growing.map((s) => ({ x: s.dataRows, y: s.dbBytes + s.walBytes })));
  const final = samples.at(-1);
  return {
    peakRssMb: round(Math.max(0, ...rss.map((s) => s.rssMb))),
    rssSlopeMbPerDay: processes.length ? Math.max(...processes.map((p) => p.slopeMbPerDay)) : null,
    rssSlopeLastThirdMbPerDay: lastThirds.length ? Math.max(...lastThirds) : null,
    rssProcesses: processes,
    walMaxBytes: Math.max(0, ...samples.map((s) => s.walBytes)),
    bytesPerRow: size ? round(size.slope) : null,
    sizeFitR2: size ? Math.round(size.r2 * 10_000) / 10_000 : null,
    finalDbBytes: final?.dbBytes ?? 0,
    finalRows: final?.dataRows ?? 0,
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
