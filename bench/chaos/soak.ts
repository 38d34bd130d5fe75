/**
 * Soak figures from a pass's samples: resident memory per daemon process (peak and trend, a
 * least-squares slope over its life after warm-up), V8's heap after each full collection (the
 * same trend: a leak in JavaScript grows it; growth of RSS alone is the allocator or native
 * memory), the largest WAL, and how linear the database size is in the number of data rows.
 */
import type { HeapSample, RssSample } from './cluster.ts';
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
  rssProcesses: LifeTrend[];
  /**
   * The longest-lived process's RSS trend (in the full profile, the daemon kill -9 spares: the
   * whole soak). The steepest trend above is mostly a short life's warm-up; this is what an
   * operator's daemon does over days.
   */
  rssLongestLife: LifeTrend | null;
  /**
   * RSS split in two, each with its steepest trend (whole lives, last thirds): anonymous pages
   * (V8's heap and malloc: where a native leak or allocator fragmentation shows) and file-backed
   * ones (the node binary's code paged in as paths run for the first time: grows, then stops).
   */
  rssAnon: TrendSummary;
  rssFile: TrendSummary;
  /** The anonymous part's brk heap (glibc's main arena) alone. */
  rssBrk: TrendSummary;
  /** Steepest trend of the heap's live objects after full collections (MB per simulated day), whole lives and last thirds. */
  heapUsedSlopeMbPerDay: number | null;
  heapUsedSlopeLastThirdMbPerDay: number | null;
  heapProcesses: LifeTrend[];
  /** Largest heap V8 held after a full collection (its committed size, in RSS). */
  peakHeapCommittedMb: number;
  walMaxBytes: number;
  /** dbBytes ≈ a + b × rows: b (bytes per row) and R². */
  bytesPerRow: number | null;
  sizeFitR2: number | null;
  finalDbBytes: number;
  finalRows: number;
}

export interface TrendSummary {
  slopeMbPerDay: number | null;
  lastThirdSlopeMbPerDay: number | null;
  peakMb: number;
}

/** One process's trend: its simulated life in hours, the slopes, and the first (after warm-up) and last values. */
export interface LifeTrend {
  pid: number;
  hours: number;
  slopeMbPerDay: number;
  lastThirdSlopeMbPerDay: number | null;
  firstMb: number;
  lastMb: number;
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

export function soakResult(memory: { rss: readonly RssSample[]; heap: readonly HeapSample[] }, samples: readonly SoakSample[], minLifeMs: number): SoakResult {
  const rss = trendOf(memory.rss, (s) => s.rssMb, minLifeMs);
  const heap = trendOf(memory.heap, (s) => s.usedMb, minLifeMs);
  const growing = samples.filter((s) => s.dataRows > 0);
  const size = fit(growing.map((s) => ({ x: s.dataRows, y: s.dbBytes + s.walBytes })));
  const final = samples.at(-1);
  return {
    peakRssMb: rss.summary.peakMb,
    rssSlopeMbPerDay: rss.summary.slopeMbPerDay,
    rssSlopeLastThirdMbPerDay: rss.summary.lastThirdSlopeMbPerDay,
    rssProcesses: rss.trends,
    rssLongestLife: rss.trends.reduce<LifeTrend | null>((longest, t) => (longest === null || t.hours > longest.hours ? t : longest), null),
    rssAnon: trendOf(memory.rss, (s) => s.anonMb, minLifeMs).summary,
    rssFile: trendOf(memory.rss, (s) => s.fileMb, minLifeMs).summary,
    rssBrk: trendOf(memory.rss, (s) => s.brkMb, minLifeMs).summary,
    heapUsedSlopeMbPerDay: heap.summary.slopeMbPerDay,
    heapUsedSlopeLastThirdMbPerDay: heap.summary.lastThirdSlopeMbPerDay,
    heapProcesses: heap.trends,
    peakHeapCommittedMb: round(Math.max(0, ...memory.heap.map((s) => s.committedMb))),
    walMaxBytes: Math.max(0, ...samples.map((s) => s.walBytes)),
    bytesPerRow: size ? round(size.slope) : null,
    sizeFitR2: size ? Math.round(size.r2 * 10_000) / 10_000 : null,
    finalDbBytes: final?.dbBytes ?? 0,
    finalRows: final?.dataRows ?? 0,
  };
}

/** One measure (`pick`; samples without it are skipped) of each process: its trends, the steepest, and the peak. */
function trendOf<S extends { pid: number; at: number }>(samples: readonly S[], pick: (s: S) => number | undefined, minLifeMs: number): { trends: LifeTrend[]; summary: TrendSummary } {
  const points = samples.flatMap((s) => {
    const mb = pick(s);
    return mb === undefined ? [] : [{ pid: s.pid, at: s.at, mb }];
  });
  const trends = lifeTrends(points, minLifeMs);
  return { trends, summary: { slopeMbPerDay: steepest(trends, 'slopeMbPerDay'), lastThirdSlopeMbPerDay: steepest(trends, 'lastThirdSlopeMbPerDay'), peakMb: round(Math.max(0, ...points.map((p) => p.mb))) } };
}

/** The trend of each process that lived at least `minLifeMs`, fitted after its warm-up. */
function lifeTrends(samples: readonly { pid: number; at: number; mb: number }[], minLifeMs: number): LifeTrend[] {
  const byPid = new Map<number, { at: number; mb: number }[]>();
  for (const s of samples) {
    const list = byPid.get(s.pid);
    if (list) list.push(s);
    else byPid.set(s.pid, [s]);
  }
  const trends: LifeTrend[] = [];
  for (const [pid, list] of byPid) {
    const first = list[0] as { at: number };
    const last = list.at(-1) as { at: number; mb: number };
    const life = last.at - first.at;
    if (life < minLifeMs) continue;
    // The first 10% of a life is start-up (modules loading, caches filling), not a trend.
    const steady = list.filter((s) => s.at >= first.at + life * 0.1);
    const points = steady.map((s) => ({ x: (s.at - first.at) / DAY, y: s.mb }));
    const line = fit(points);
    const lastThird = fit(points.slice(Math.floor((points.length * 2) / 3)));
    if (line) trends.push({ pid, hours: Math.round(life / 360_000) / 10, slopeMbPerDay: round(line.slope), lastThirdSlopeMbPerDay: lastThird ? round(lastThird.slope) : null, firstMb: round(steady[0]?.mb ?? 0), lastMb: round(last.mb) });
  }
  return trends;
}

function steepest(trends: readonly LifeTrend[], key: 'slopeMbPerDay' | 'lastThirdSlopeMbPerDay'): number | null {
  const slopes = trends.flatMap((t) => (t[key] === null ? [] : [t[key]]));
  return slopes.length ? Math.max(...slopes) : null;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
