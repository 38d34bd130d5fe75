/**
 * Turns a chaos run (gtc and the baseline, same profile, dialect and seed) into JSON lines
 * (design.md §10) and a markdown report with every goal of issue 7 and whether it was met.
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { ratio, report, type ReportLine } from '../lib/report.ts';
import type { Availability, FaultOutcome, PassResult } from './analysis.ts';
import { BASELINE_DESCRIPTION } from './daemon-config.ts';
import type { PassOutput } from './pass.ts';
import { fmtSim } from './pass.ts';
import type { LifeTrend, SoakResult, TrendSummary } from './soak.ts';

export interface ChaosRun {
  profile: string;
  dialect: string;
  seed: string;
  speed: number;
  intervals: Record<string, number>;
  /** The daemon kill -9 never picks, if any. */
  sparedFromKills?: number | undefined;
  startedAt: string;
  gtc: { output: PassOutput; soak: SoakResult };
  baseline: { output: PassOutput; soak: SoakResult } | undefined;
}

export const GOALS = {
  detectionMs: 1000,
  recoveryMs: 5000,
  availability: 0.999,
  rssMb: 200,
  /** "No upward trend": the longest life's RSS slope, when it lived at least `trendLifeHours`. */
  rssSlopeMbPerDay: 1,
  trendLifeHours: 72,
} as const;

export function machine(): string {
  const uname = (() => {
    try {
      return execFileSync('uname', ['-a'], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  return `${uname}; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}); ${Math.round(totalmem() / 1024 ** 3)} GiB RAM; Node ${process.version}`;
}

const pct = (a: PassResult['availabilityAllSlots']): number => Math.round(a.ratio * 100_000) / 1000;
const worst = (faults: readonly FaultOutcome[], key: 'detectionMs' | 'recoveryMs'): number | null => {
  const values = faults.filter((f) => f.kind !== 'kill-9').map((f) => f[key]).filter((v): v is number => v !== null);
  return values.length ? Math.max(...values) : null;
};

/** A fault's description without what differs between injections of the same fault (sizes, pids, timings). */
const sameFault = (detail: string): string => detail.replace(/\d+ MiB|pid \d+|daemon \d+|[\d.]+ s after the switch/g, '');

/** One row per fault kind: a storm's locks and repeated faults merged (worst times, all instances). */
export function groupFaults(faults: readonly FaultOutcome[]): (FaultOutcome & { windows: number })[] {
  const groups = new Map<string, FaultOutcome & { windows: number }>();
  const maxOf = (a: number | null | undefined, b: number | null | undefined): number | null => (a === null || a === undefined ? b ?? null : b === null || b === undefined ? a : Math.max(a, b));
  for (const f of faults) {
    const key = `${f.kind}|${sameFault(f.detail)}`;
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { ...f, affected: [...f.affected], notRecovered: [...f.notRecovered], windows: 1 });
      continue;
    }
    g.windows += 1;
    g.end = Math.max(g.end, f.end);
    g.affected = [...new Set([...g.affected, ...f.affected])].sort();
    g.failedRuns += f.failedRuns;
    g.detectionMs = maxOf(g.detectionMs, f.detectionMs);
    g.neverReacted = Boolean(g.neverReacted || f.neverReacted);
    if ((f.recoveryMs ?? -1) > (g.recoveryMs ?? -1)) g.recoveryCut = f.recoveryCut;
    g.recoveryMs = maxOf(g.recoveryMs, f.recoveryMs);
    g.notRecovered = [...new Set([...g.notRecovered, ...f.notRecovered])];
    if (f.killedRuns !== undefined) g.killedRuns = (g.killedRuns ?? 0) + f.killedRuns;
    if (f.takeoverMs !== undefined) g.takeoverMs = maxOf(g.takeoverMs, f.takeoverMs);
  }
  return [...groups.values()];
}

const twinOf = (group: FaultOutcome, others: readonly FaultOutcome[] | undefined): FaultOutcome | undefined =>
  others?.find((f) => f.kind === group.kind && sameFault(f.detail) === sameFault(group.detail));

/** Prints the JSON lines of a run. */
export function printLines(run: ChaosRun): void {
  const common = { bench: 'chaos', profile: run.profile, dialect: run.dialect, speed: run.speed };
  const g = run.gtc.output.result;
  const b = run.baseline?.output.result;
  const line = (metric: string, unit: string, value: number, baselineValue: number | null | undefined, extra: Record<string, unknown> = {}): void => {
    const out: ReportLine = { ...common, metric, value, unit, ...extra };
    if (b && baselineValue !== null && baselineValue !== undefined) Object.assign(out, { baseline: BASELINE_DESCRIPTION, baselineValue, ratio: ratio(value, baselineValue) });
    report(out);
  };
  line('rows_lost', 'rows', g.rowsLost, b?.rowsLost);
  line('duplicate_rows', 'rows', g.duplicateRows, b?.duplicateRows);
  line('duplicate_slot_runs', 'slots', g.duplicateSlotRuns, b?.duplicateSlotRuns);
  line('missing_trades_in_recorded_gaps', 'trades', g.trades.inGaps, b?.trades.inGaps, { uncovered: g.trades.uncovered, gaps: g.trades.gaps });
  line('missing_candles_in_recorded_gaps', 'candles', g.candles.inGaps, b?.candles.inGaps, { missing: g.candles.missing });
  line('integrity_ok', 'bool', g.integrity === 'ok' ? 1 : 0, b ? (b.integrity === 'ok' ? 1 : 0) : undefined);
  line('availability_outside_outages', '%', pct(g.availabilityOutsideOutages), b ? pct(b.availabilityOutsideOutages) : undefined, { slots: g.availabilityOutsideOutages.scheduled, servedByRunUnderWay: g.availabilityOutsideOutages.servedByRunUnderWay });
  line('availability_all_slots', '%', pct(g.availabilityAllSlots), b ? pct(b.availabilityAllSlots) : undefined, { slots: g.availabilityAllSlots.scheduled });
  if (g.availabilityIncidentReplay) line('availability_incident_replay', '%', pct(g.availabilityIncidentReplay), b?.availabilityIncidentReplay ? pct(b.availabilityIncidentReplay) : undefined, { slots: g.availabilityIncidentReplay.scheduled });
  line('worst_detection', 'ms', worst(g.faults, 'detectionMs') ?? 0, b ? worst(b.faults, 'detectionMs') : undefined);
  // Simulated ms and the real ms they took: at ×90 a loaded machine's 100 real ms are 9 simulated seconds.
  const realMs = (simMs: number | null): { realMs: number } => ({ realMs: Math.round((simMs ?? 0) / run.speed) });
  line('worst_recovery', 'ms', worst(g.faults, 'recoveryMs') ?? 0, b ? worst(b.faults, 'recoveryMs') : undefined, realMs(worst(g.faults, 'recoveryMs')));
  const baselineGroups = b ? groupFaults(b.faults) : undefined;
  for (const fault of groupFaults(g.faults)) {
    const twin = twinOf(fault, baselineGroups);
    if (fault.kind === 'kill-9') {
      line('kill9_takeover', 'ms', fault.takeoverMs ?? 0, twin?.takeoverMs, { killedRuns: fault.killedRuns, slotsNotCompleted: fault.notRecovered.length, faults: fault.windows });
      continue;
    }
    const never = twin?.neverReacted ? { baselineNeverReacted: true } : {};
    line(`detection:${fault.kind}`, 'ms', fault.detectionMs ?? 0, twin?.neverReacted ? null : twin?.detectionMs, { failedRuns: fault.failedRuns, baselineFailedRuns: twin?.failedRuns, faults: fault.windows, ...never });
    line(`recovery:${fault.kind}`, 'ms', fault.recoveryMs ?? 0, twin?.recoveryMs, { ...realMs(fault.recoveryMs), notRecovered: fault.notRecovered.length, faults: fault.windows, ...(fault.recoveryCut ? { cutByNextFault: true } : {}) });
  }
  line('worst_staleness', 's', g.worstStalenessMs / 1000, b ? b.worstStalenessMs / 1000 : undefined);
  line('peak_rss', 'MB', run.gtc.soak.peakRssMb, run.baseline?.soak.peakRssMb);
  if (run.gtc.soak.rssSlopeMbPerDay !== null) line('rss_slope', 'MB/day', run.gtc.soak.rssSlopeMbPerDay, run.baseline?.soak.rssSlopeMbPerDay);
  if (run.gtc.soak.rssSlopeLastThirdMbPerDay !== null) line('rss_slope_last_third', 'MB/day', run.gtc.soak.rssSlopeLastThirdMbPerDay, run.baseline?.soak.rssSlopeLastThirdMbPerDay);
  if (run.gtc.soak.rssAnon.slopeMbPerDay !== null) line('rss_anon_slope', 'MB/day', run.gtc.soak.rssAnon.slopeMbPerDay, run.baseline?.soak.rssAnon.slopeMbPerDay);
  const longest = run.gtc.soak.rssLongestLife;
  if (longest) line('rss_slope_longest_life', 'MB/day', longest.slopeMbPerDay, run.baseline?.soak.rssLongestLife?.slopeMbPerDay, { hours: longest.hours, lastThird: longest.lastThirdSlopeMbPerDay });
  if (run.gtc.soak.rssFile.slopeMbPerDay !== null) line('rss_file_slope', 'MB/day', run.gtc.soak.rssFile.slopeMbPerDay, run.baseline?.soak.rssFile.slopeMbPerDay);
  if (run.gtc.soak.rssBrk.slopeMbPerDay !== null) line('rss_brk_heap_slope', 'MB/day', run.gtc.soak.rssBrk.slopeMbPerDay, run.baseline?.soak.rssBrk.slopeMbPerDay);
  if (run.gtc.soak.heapUsedSlopeMbPerDay !== null) line('heap_used_slope', 'MB/day', run.gtc.soak.heapUsedSlopeMbPerDay, run.baseline?.soak.heapUsedSlopeMbPerDay);
  if (run.gtc.soak.heapUsedSlopeLastThirdMbPerDay !== null) line('heap_used_slope_last_third', 'MB/day', run.gtc.soak.heapUsedSlopeLastThirdMbPerDay, run.baseline?.soak.heapUsedSlopeLastThirdMbPerDay);
  if (run.dialect === 'sqlite') line('wal_max', 'bytes', run.gtc.soak.walMaxBytes, run.baseline?.soak.walMaxBytes);
  if (run.gtc.soak.bytesPerRow !== null) line('db_bytes_per_row', 'bytes', run.gtc.soak.bytesPerRow, run.baseline?.soak.bytesPerRow, { r2: run.gtc.soak.sizeFitR2 });
}

/** Every must-show goal, judged on the gtc pass. */
export function goals(run: ChaosRun): { goal: string; value: string; met: boolean }[] {
  const g = run.gtc.output.result;
  const detection = worst(g.faults, 'detectionMs');
  const recovery = worst(g.faults, 'recoveryMs');
  const notRecovered = g.faults.flatMap((f) => f.notRecovered);
  const list = [
    { goal: '0 rows lost', value: String(g.rowsLost), met: g.rowsLost === 0 },
    { goal: '0 duplicates (rows never served; slots run twice)', value: `${g.duplicateRows}; ${g.duplicateSlotRuns}`, met: g.duplicateRows === 0 && g.duplicateSlotRuns === 0 },
    { goal: 'every real gap recorded', value: `${g.trades.inGaps} missing trades all inside ${g.trades.gaps} recorded gaps, ${g.trades.uncovered} outside any; ${g.candles.inGaps} missing candles inside recorded gaps, ${g.candles.missing} outside any`, met: g.trades.uncovered === 0 && g.candles.missing === 0 },
    { goal: 'stored values equal the served ones', value: `${g.trades.wrong} trades, ${g.candles.wrong} candles differ`, met: g.trades.wrong === 0 && g.candles.wrong === 0 },
    { goal: 'integrity_check ok', value: g.integrity, met: g.integrity === 'ok' },
    { goal: `availability ≥ ${GOALS.availability * 100}% outside injected outages`, value: `${pct(g.availabilityOutsideOutages)}% of ${g.availabilityOutsideOutages.scheduled} slots`, met: g.availabilityOutsideOutages.ratio >= GOALS.availability },
    { goal: `detection ≤ ${GOALS.detectionMs / 1000} s after the first failing run`, value: detection === null ? 'no run failed' : `${detection} ms`, met: detection === null || detection <= GOALS.detectionMs },
    { goal: `recovery ≤ ${GOALS.recoveryMs / 1000} s after each fault ends`, value: recovery === null ? 'nothing to recover' : `${recovery} ms (${Math.round(recovery / run.speed)} real ms at ×${run.speed})${notRecovered.length ? `; not recovered: ${notRecovered.join(', ')}` : ''}`, met: (recovery === null || recovery <= GOALS.recoveryMs) && notRecovered.length === 0 && !g.faults.some((f) => f.recoveryCut) },
    { goal: `peak RSS < ${GOALS.rssMb} MB per daemon`, value: `${run.gtc.soak.peakRssMb} MB`, met: run.gtc.soak.peakRssMb < GOALS.rssMb },
  ];
  const longest = run.gtc.soak.rssLongestLife;
  if (longest && longest.hours >= GOALS.trendLifeHours) {
    list.push({ goal: `RSS with no upward trend: ≤ ${GOALS.rssSlopeMbPerDay} MB/day over the longest life (≥ ${GOALS.trendLifeHours} h), whole and last third`, value: `${longest.slopeMbPerDay} MB/day, ${longest.lastThirdSlopeMbPerDay ?? '—'} MB/day over its last third (${longest.firstMb}→${longest.lastMb} MB in ${longest.hours} h)`, met: longest.slopeMbPerDay <= GOALS.rssSlopeMbPerDay && (longest.lastThirdSlopeMbPerDay ?? 0) <= GOALS.rssSlopeMbPerDay });
  }
  return list;
}

/** True when the data itself is wrong (lost, duplicated, unrecorded gaps, corrupt): what CI fails on. */
export function dataGoalsFailed(run: ChaosRun): boolean {
  return goals(run).slice(0, 5).some((g) => !g.met);
}

function faultRows(g: PassResult, b: PassResult | undefined): string[] {
  const ms = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : v >= 120_000 ? `${Math.round(v / 6000) / 10} min` : `${(v / 1000).toFixed(1)} s`);
  const first = Math.min(...g.faults.map((f) => f.start));
  const baselineGroups = b ? groupFaults(b.faults) : undefined;
  return groupFaults(g.faults).map((f) => {
    const twin = twinOf(f, baselineGroups);
    const at = `${fmtSim(f.start - first)}${f.windows > 1 ? ` (×${f.windows})` : ''}`;
    if (f.kind === 'kill-9') {
      return `| ${f.kind} | ${at} | ${f.detail} | ${f.killedRuns ?? 0} runs in flight (baseline ${twin?.killedRuns ?? '—'}) | — | ${ms(f.takeoverMs)} to complete their slots (${f.notRecovered.length} never) | ${twin ? `${ms(twin.takeoverMs)} (${twin.notRecovered.length} never)` : '—'} |`;
    }
    const detection = (x: FaultOutcome | undefined): string => (x === undefined ? '—' : x.neverReacted ? 'never' : x.failedRuns === 0 ? 'no failure' : ms(x.detectionMs));
    const recovery = (x: FaultOutcome | undefined): string => (x === undefined ? '—' : x.failedRuns === 0 ? 'no failure' : `${x.recoveryCut ? '≥ ' : ''}${ms(x.recoveryMs)}${x.recoveryCut ? ' (the next fault began)' : ''}${x.notRecovered.length ? ` (not recovered: ${x.notRecovered.join(', ')})` : ''}`);
    return `| ${f.kind} | ${at} | ${f.detail} | ${f.failedRuns} runs, ${f.affected.length} instances (baseline ${twin ? `${twin.failedRuns}, ${twin.affected.length}` : '—'}) | ${detection(f)} / ${detection(twin)} | ${recovery(f)} | ${recovery(twin)} |`;
  });
}

export function markdown(run: ChaosRun, command: string): string {
  const g = run.gtc.output.result;
  const b = run.baseline?.output.result;
  const bs = run.baseline?.soak;
  const lines: string[] = [];
  lines.push(`# Chaos run — ${run.profile} profile, ${run.dialect}, ${run.startedAt}`);
  lines.push('');
  lines.push(`Machine: ${machine()}`);
  lines.push(`Command: \`${command}\` (seed ${run.seed}; simulated time ×${run.speed}; ${fmtSim(run.gtc.output.simulatedMs)} simulated per pass; real ${Math.round(run.gtc.output.realSeconds)} s gtc${run.baseline ? `, ${Math.round(run.baseline.output.realSeconds)} s baseline` : ''})`);
  lines.push(`Setup: the simulator (30 calls/min), 3 \`gtc start\` processes on one ${run.dialect === 'sqlite' ? 'SQLite file (on a small tmpfs)' : 'PostgreSQL database (throwaway cluster)'}, ${g.watchedPools} watched pools; intervals ${Object.entries(run.intervals).map(([k, v]) => `${k} ${v / 60_000} min`).join(', ')}${run.sparedFromKills === undefined ? '' : `; kill -9 never picks daemon ${run.sparedFromKills}, whose one process lives through the pass`}. Baseline: ${run.baseline ? BASELINE_DESCRIPTION : 'not run'}.`);
  lines.push('');
  lines.push('## Goals (gtc pass)');
  lines.push('');
  lines.push('| goal | measured | met |');
  lines.push('|---|---|---|');
  for (const goal of goals(run)) lines.push(`| ${goal.goal} | ${goal.value} | ${goal.met ? 'yes' : '**no**'} |`);
  lines.push('');
  lines.push('## gtc against the baseline, same run');
  lines.push('');
  lines.push('| metric | gtc | baseline |');
  lines.push('|---|---|---|');
  const row = (name: string, mine: string, theirs: string | undefined): void => void lines.push(`| ${name} | ${mine} | ${theirs ?? '—'} |`);
  row('rows lost (trades missing outside gaps + candles missing)', String(g.rowsLost), b && String(b.rowsLost));
  row('rows stored but never served / slots run twice', `${g.duplicateRows} / ${g.duplicateSlotRuns}`, b && `${b.duplicateRows} / ${b.duplicateSlotRuns}`);
  row('trades checked: stored / expected (in recorded gaps)', `${g.trades.stored} / ${g.trades.expected} (${g.trades.inGaps} in ${g.trades.gaps} gaps)`, b && `${b.trades.stored} / ${b.trades.expected} (${b.trades.inGaps} in ${b.trades.gaps} gaps)`);
  row('candles checked: matched / expected, in recorded gaps (units lagging)', `${g.candles.matched} / ${g.candles.expected}, ${g.candles.inGaps} (${g.candles.lagging})`, b && `${b.candles.matched} / ${b.candles.expected}, ${b.candles.inGaps} (${b.candles.lagging})`);
  row('integrity_check', g.integrity, b?.integrity);
  const outside = (a: Availability): string => `${pct(a)}% (${a.succeeded}/${a.scheduled}; ${a.servedByRunUnderWay} served by a trades run under way)`;
  row('availability outside injected outages', outside(g.availabilityOutsideOutages), b && outside(b.availabilityOutsideOutages));
  row('availability over all slots, faults included', `${pct(g.availabilityAllSlots)}% (${g.availabilityAllSlots.succeeded}/${g.availabilityAllSlots.scheduled})`, b && `${pct(b.availabilityAllSlots)}% (${b.availabilityAllSlots.succeeded}/${b.availabilityAllSlots.scheduled})`);
  const replayRow = (r: PassResult | undefined): string | undefined => r?.availabilityIncidentReplay && `${pct(r.availabilityIncidentReplay)}% (${r.availabilityIncidentReplay.succeeded}/${r.availabilityIncidentReplay.scheduled})`;
  if (g.availabilityIncidentReplay) row('availability of the slots during the incident replay', replayRow(g) as string, replayRow(b));
  const requests = (r: PassOutput): string => `${r.apiRequests.total} (${r.apiRequests.perMinute} per simulated minute; budget 30)`;
  row('API requests the simulator answered', requests(run.gtc.output), run.baseline && requests(run.baseline.output));
  row('runs ok / failed / abandoned', `${g.runs.ok} / ${g.runs.failed} / ${g.runs.abandoned}`, b && `${b.runs.ok} / ${b.runs.failed} / ${b.runs.abandoned}`);
  row('worst staleness (longest time a 5-min collector had no successful run)', `${Math.round(g.worstStalenessMs / 1000)} s (${g.worstStalenessInstance})`, b && `${Math.round(b.worstStalenessMs / 1000)} s (${b.worstStalenessInstance})`);
  row('peak RSS of a daemon', `${run.gtc.soak.peakRssMb} MB`, bs && `${bs.peakRssMb} MB`);
  row('RSS trend (steepest process)', slope(run.gtc.soak), bs && slope(bs));
  row('RSS split: anonymous pages (V8 heap, malloc) / file-backed pages (code paged in): steepest trend, last third; peak', rssSplit(run.gtc.soak), bs && rssSplit(bs));
  row('V8 heap after full collections: live objects\' trend (steepest process); largest heap held', heapTrend(run.gtc.soak), bs && heapTrend(bs));
  if (run.dialect === 'sqlite') row('largest WAL', `${Math.round(run.gtc.soak.walMaxBytes / 1024)} KiB`, bs && `${Math.round(bs.walMaxBytes / 1024)} KiB`);
  row('database size vs data rows', sizeFit(run.gtc.soak), bs && sizeFit(bs));
  row('daemon log lines at error level', String(run.gtc.output.daemonErrors.count), run.baseline && String(run.baseline.output.daemonErrors.count));
  lines.push('');
  lines.push('## Faults');
  lines.push('');
  lines.push('Times are simulated, from the first fault; a kind injected several times shows its worst case. Detection: gtc = first failing run → first non-healthy state (0 when the instance was already degraded); baseline = first failing run → suspended (the replaced system reacted only at its threshold; "never" = not while the fault lasted). Recovery: fault end → the start of the first run (any process) that succeeded after the end, or the first page stored after the end (by a run that rode the fault out, or any other), whichever comes first (0 when the instance stored a page or succeeded after its last failure, before the end), worst affected instance; "≥" when that instance was not at work yet when the next fault began (read up to that start, not through the next outage). kill -9: the killed process\'s runs in flight → another process completing their slots.');
  lines.push('');
  lines.push('| fault | at | what | failed (gtc, baseline) | detection gtc / baseline | recovery gtc | recovery baseline |');
  lines.push('|---|---|---|---|---|---|---|');
  lines.push(...faultRows(g, b));
  const skipped = run.gtc.output.skipped;
  if (skipped.length) {
    lines.push('');
    lines.push(`Not injected in this run: ${skipped.join('; ')}.`);
  }
  const missed = g.availabilityOutsideOutages.missed;
  if (missed.length) {
    lines.push('');
    lines.push(`Slots outside outages without a successful run (gtc): ${missed.slice(0, 20).join(', ')}${missed.length > 20 ? ` … (${missed.length})` : ''}.`);
  }
  for (const [name, result] of [['gtc', g], ['baseline', b]] as const) {
    if (!result) continue;
    if (result.duplicateSlots.length) lines.push('', `Slots completed twice (${name}): ${result.duplicateSlots.join('; ')}.`);
    if (result.missingRows.length) lines.push('', `Rows served but neither stored nor inside a recorded gap (${name}): ${result.missingRows.join('; ')}.`);
    if (result.wrongValues.length) lines.push('', `Stored values that differ from the served ones (${name}): ${result.wrongValues.join('; ')}.`);
  }
  const errors = run.gtc.output.daemonErrors.first;
  if (errors.length) {
    lines.push('');
    lines.push('First error-level log lines of the gtc daemons:');
    lines.push('');
    for (const e of errors.slice(0, 8)) lines.push(`- ${e.replace(/\|/g, '\\|').slice(0, 400)}`);
  }
  lines.push('');
  return lines.join('\n');
}

function slope(soak: SoakResult): string {
  return trendText(soak.rssSlopeMbPerDay, soak.rssSlopeLastThirdMbPerDay, soak.rssProcesses);
}

function rssSplit(soak: SoakResult): string {
  const part = (t: TrendSummary): string => (t.slopeMbPerDay === null ? `— (peak ${t.peakMb} MB)` : `${t.slopeMbPerDay} MB/day, ${t.lastThirdSlopeMbPerDay ?? '—'} MB/day, peak ${t.peakMb} MB`);
  return `anonymous ${part(soak.rssAnon)} (of which the brk heap, glibc's main arena: ${part(soak.rssBrk)}) / file-backed ${part(soak.rssFile)}`;
}

function heapTrend(soak: SoakResult): string {
  return `${trendText(soak.heapUsedSlopeMbPerDay, soak.heapUsedSlopeLastThirdMbPerDay, soak.heapProcesses)}; ${soak.peakHeapCommittedMb} MB`;
}

function trendText(whole: number | null, lastThird: number | null, processes: readonly LifeTrend[]): string {
  if (whole === null) return 'no process lived long enough to fit';
  const third = lastThird === null ? '' : `; ${lastThird} MB/day over the last third of each life`;
  return `${whole} MB/day over ${processes.length} processes (${processes.map((p) => `${p.firstMb}→${p.lastMb} MB in ${p.hours} h`).join(', ')})${third}`;
}

function sizeFit(soak: SoakResult): string {
  if (soak.bytesPerRow === null) return '—';
  return `${soak.bytesPerRow} bytes/row, R² ${soak.sizeFitR2} (${Math.round(soak.finalDbBytes / 1048576)} MiB, ${soak.finalRows} rows)`;
}
