/**
 * Judges one chaos pass: the database against the simulator's truth (rows lost, duplicates,
 * gaps), the run history against the schedule (availability, staleness), and the daemons' own
 * record of state changes and runs against the fault windows (detection, recovery).
 */
import { sql } from 'kysely';
import type { Timeframe } from '../../src/api/index.ts';
import { intervalStart } from '../../src/collectors/ohlcv-window.ts';
import type { MarketTruth } from '../../src/sim/index.ts';
import type { Store } from '../../src/store/index.ts';
import { checkCandles, checkTrades } from '../../test/collectors/support/truth.ts';
import type { DaemonEvent } from './cluster.ts';
import type { Intervals, Mode } from './daemon-config.ts';
import type { FaultWindow } from './faults.ts';

/** A slot whose interval comes within this of an outage is left out of availability (the recovery goal). */
export const RECOVERY_ALLOWANCE_MS = 5_000;
/** Failures this long after a fault ended are still blamed on it (requests in flight). */
const BLAME_AFTER_MS = 30_000;

export interface FaultOutcome {
  kind: string;
  start: number;
  end: number;
  detail: string;
  outage: boolean;
  /** Instances with a failed run blamed on this fault. */
  affected: string[];
  failedRuns: number;
  /** gtc: first failing run → first non-healthy state; baseline: → suspended (its only reaction). */
  detectionMs: number | null;
  /** Some affected instance never reacted (baseline: never suspended) while the fault lasted. */
  neverReacted?: boolean;
  /** Fault end → at work again (worst affected instance): a successful run's start, or its first page stored, after the end (see dataFlowsAfter). */
  recoveryMs: number | null;
  /** Instances that failed during the fault and had no successful run before the scenario ended. */
  notRecovered: string[];
  /**
   * The worst instance was not at work again when the next fault began: its reading is cut there
   * (at least that long), not stretched through the next fault's own outage.
   */
  recoveryCut?: boolean;
  /** kill -9: runs left in flight, and how long until another process completed their slot. */
  killedRuns?: number;
  takeoverMs?: number | null;
}

export interface Availability {
  scheduled: number;
  succeeded: number;
  /** Of those, slots no run had but an ok run under way at their start served (SERVED_WHILE_RUNNING). */
  servedByRunUnderWay: number;
  ratio: number;
  /** Slots that did not succeed (instance @ ISO time), for the report. */
  missed: string[];
}

export interface PassResult {
  mode: Mode;
  dialect: string;
  watchedPools: number;
  trades: { expected: number; stored: number; uncovered: number; inGaps: number; gaps: number; emptyGaps: number; wrong: number };
  candles: { expected: number; matched: number; inGaps: number; missing: number; wrong: number; lagging: number };
  rowsLost: number;
  duplicateRows: number;
  duplicateSlotRuns: number;
  duplicateSlots: string[];
  /** Stored values that differ from the served ones (first few). */
  wrongValues: string[];
  /** Rows served but neither stored nor inside a recorded gap (first few). */
  missingRows: string[];
  availabilityOutsideOutages: Availability;
  availabilityAllSlots: Availability;
  /** Slots that began while the incident was replayed (the 30 s lock back at each slot). */
  availabilityIncidentReplay?: Availability;
  faults: FaultOutcome[];
  worstStalenessMs: number;
  worstStalenessInstance: string;
  integrity: string;
  runs: { ok: number; failed: number; abandoned: number };
}

export interface RunRow {
  collector: string;
  instance_id: string;
  slot_start: number | null;
  started_at: number;
  finished_at: number | null;
  status: string;
}

export interface AnalysisInput {
  mode: Mode;
  store: Store;
  truth: MarketTruth;
  pools: readonly string[];
  addedAtS: number;
  backfillDays: number;
  events: readonly DaemonEvent[];
  /** Simulated times each instance stored a page at (any process). */
  pages: ReadonlyMap<string, readonly number[]>;
  windows: readonly FaultWindow[];
  intervals: Intervals;
  /** Simulated ms: measured span (after warm-up) and the end. */
  measuredFrom: number;
  end: number;
}

export async function analyse(input: AnalysisInput): Promise<PassResult> {
  const { store } = input;
  const endS = Math.floor(input.end / 1000);
  const trades = await checkTrades(store, input.truth, input.pools);
  const timeframes: Timeframe[] = ['5m', '1h'];
  const fromS = (tf: Timeframe): number => intervalStart(input.addedAtS - input.backfillDays * 86_400, tf);
  const candles = await checkCandles(store, input.truth, input.pools, timeframes, fromS, endS, (tf) => (tf === '1h' ? 2 * 3600 : 2 * 900));
  const missingCandles = candles.wrong.filter((w) => w.includes('stored null')).length;
  const phantomCandles = candles.wrong.filter((w) => w.endsWith('never served')).length;
  const phantomTrades = trades.wrong.filter((w) => w.endsWith('never served')).length;

  const runs = (await store.db.selectFrom('collection_runs').select(['collector', 'instance_id', 'slot_start', 'started_at', 'finished_at', 'status']).orderBy('id').execute()).map((r) => ({
    ...r, slot_start: r.slot_start === null ? null : Number(r.slot_start), started_at: Number(r.started_at), finished_at: r.finished_at === null ? null : Number(r.finished_at),
  })) as RunRow[];
  const duplicateSlots = await duplicateSlotRuns(store);
  const outages = input.windows.filter((w) => w.outage);
  const slotsOutside = availability(input.intervals, runs, input.measuredFrom, input.end, outages);
  const slotsAll = availability(input.intervals, runs, input.measuredFrom, input.end, []);
  const staleness = worstStaleness(input.intervals, runs, input.measuredFrom, input.end);
  const windows = [...input.windows].sort((a, b) => a.start - b.start);
  // Failures are blamed on a fault until 30 s after it, or until the next fault begins.
  const blameUntil = (w: FaultWindow): number => Math.min(w.end + BLAME_AFTER_MS, ...windows.filter((x) => x.kind !== 'kill-9' && x.start >= w.end).map((x) => x.start));
  const pages = new Map([...input.pages].map(([instance, times]) => [instance, [...times].sort((a, b) => a - b)]));
  // A recovery still under way when the next outage begins is read up to that start only.
  const nextOutage = (w: FaultWindow): number => Math.min(input.end, ...windows.filter((x) => x.outage && x.kind !== 'kill-9' && x.start >= w.end).map((x) => x.start));
  const faults = windows.map((w) => faultOutcome(input.mode, w, blameUntil(w), nextOutage(w), input.events, pages, runs, input.end));
  const replay = windows.find((w) => w.kind === 'incident-replay');
  const slotsReplay = replay ? availability(input.intervals, runs, replay.start, replay.end, [], true) : undefined;

  return {
    mode: input.mode,
    dialect: store.dialect,
    watchedPools: input.pools.length,
    trades: { expected: trades.expected, stored: trades.stored, uncovered: trades.uncovered.length, inGaps: trades.inGaps, gaps: trades.gaps, emptyGaps: trades.emptyGaps.length, wrong: trades.wrong.length - phantomTrades },
    candles: { expected: candles.expected, matched: candles.matched, inGaps: candles.inGaps, missing: missingCandles, wrong: candles.wrong.length - missingCandles - phantomCandles, lagging: candles.lagging.length },
    rowsLost: trades.uncovered.length + missingCandles,
    duplicateRows: phantomTrades + phantomCandles,
    duplicateSlotRuns: duplicateSlots.length,
    missingRows: [...trades.uncovered, ...candles.wrong.filter((w) => w.includes('stored null')).map((w) => w.replace(/ served .*$/, ''))].slice(0, 10),
    wrongValues: [...trades.wrong.filter((w) => !w.endsWith('never served')), ...candles.wrong.filter((w) => !w.includes('stored null') && !w.endsWith('never served'))].slice(0, 10),
    duplicateSlots,
    availabilityOutsideOutages: slotsOutside,
    availabilityAllSlots: slotsAll,
    ...(slotsReplay ? { availabilityIncidentReplay: slotsReplay } : {}),
    faults,
    worstStalenessMs: staleness.ms,
    worstStalenessInstance: staleness.instance,
    integrity: await store.integrityCheck(),
    runs: { ok: runs.filter((r) => r.status === 'ok').length, failed: runs.filter((r) => r.status === 'failed').length, abandoned: runs.filter((r) => r.status === 'abandoned' || r.status === 'running').length },
  };
}

/** Slots that more than one run completed successfully (collector@slot: the runs' owners and times). */
async function duplicateSlotRuns(store: Store): Promise<string[]> {
  const rows = await sql<{ collector: string; slot_start: number | string }>`select collector, slot_start from collection_runs where status = 'ok' and slot_start is not null group by collector, slot_start having count(*) > 1`.execute(store.db);
  const out: string[] = [];
  for (const row of rows.rows) {
    const runs = await store.db.selectFrom('collection_runs').select(['instance_id', 'started_at', 'finished_at']).where('collector', '=', row.collector).where('slot_start', '=', Number(row.slot_start)).where('status', '=', 'ok').execute();
    const iso = (s: number | null): string => (s === null ? '?' : new Date(Number(s) * 1000).toISOString().slice(11, 19));
    out.push(`${row.collector}@${new Date(Number(row.slot_start) * 1000).toISOString()}: ${runs.map((r) => `${r.instance_id} ${iso(r.started_at)}–${iso(r.finished_at)}`).join(', ')}`);
  }
  return out;
}

function intervalOf(intervals: Intervals, instance: string): number {
  return intervals[instance.split(':')[0] as keyof Intervals] ?? 300_000;
}

/**
 * Instances whose run serves every tick that passes while it runs. trades ticks every
 * minPollInterval (a minute) and its run keeps polling the pools that fall due until none is due
 * or its time budget is used (collectors/trades.ts); a tick that passes meanwhile is folded into
 * that run (runtime/schedule.ts), and when every process is at such a run no process claims the
 * tick's slot. A grid point inside an ok run of the instance, in any process, was served by it.
 * Snapshot collectors (one page set per slot) get no such credit: a run under way does not fetch
 * the next slot's snapshot.
 */
const SERVED_WHILE_RUNNING: ReadonlySet<string> = new Set(['trades']);

/**
 * Slots on each instance's grid in [from, end) whose whole interval fits (or, with `startsOnly`,
 * that start in it); succeeded when an ok run has that slot, or (SERVED_WHILE_RUNNING) an ok run
 * was under way at the slot's start.
 */
export function availability(intervals: Intervals, runs: readonly RunRow[], from: number, end: number, outages: readonly FaultWindow[], startsOnly = false): Availability {
  const instances = [...new Set(runs.map((r) => r.collector))].sort();
  const ok = runs.filter((r) => r.status === 'ok');
  const okSlots = new Set(ok.filter((r) => r.slot_start !== null).map((r) => `${r.collector}@${(r.slot_start as number) * 1000}`));
  let scheduled = 0;
  let succeeded = 0;
  let servedByRunUnderWay = 0;
  const missed: string[] = [];
  for (const instance of instances) {
    const interval = intervalOf(intervals, instance);
    const spans = SERVED_WHILE_RUNNING.has(instance) ? ok.filter((r) => r.collector === instance && r.finished_at !== null).map((r) => [r.started_at * 1000, (r.finished_at as number) * 1000] as const) : [];
    for (let slot = Math.ceil(from / interval) * interval; (startsOnly ? slot : slot + interval) <= end; slot += interval) {
      const hit = outages.some((w) => w.start < slot + interval && slot < w.end + RECOVERY_ALLOWANCE_MS);
      if (hit) continue;
      scheduled += 1;
      if (okSlots.has(`${instance}@${slot}`)) succeeded += 1;
      else if (spans.some(([start, finish]) => start <= slot && slot <= finish)) {
        succeeded += 1;
        servedByRunUnderWay += 1;
      } else missed.push(`${instance}@${new Date(slot).toISOString()}`);
    }
  }
  return { scheduled, succeeded, servedByRunUnderWay, ratio: scheduled === 0 ? 1 : succeeded / scheduled, missed };
}

/** The longest time a data collector (every instance but the hourly ones) went without a successful run, measured span only. */
function worstStaleness(intervals: Intervals, runs: readonly RunRow[], from: number, end: number): { ms: number; instance: string } {
  let worst = { ms: 0, instance: '' };
  const instances = [...new Set(runs.map((r) => r.collector))].filter((i) => intervalOf(intervals, i) < 3_600_000);
  for (const instance of instances) {
    const finishes = runs.filter((r) => r.collector === instance && r.status === 'ok' && r.finished_at !== null).map((r) => (r.finished_at as number) * 1000).sort((a, b) => a - b);
    let previous = finishes.filter((f) => f <= from).at(-1) ?? from;
    for (const at of [...finishes.filter((f) => f > from), end]) {
      if (at - previous > worst.ms) worst = { ms: at - previous, instance };
      previous = at;
    }
  }
  return worst;
}

/**
 * The state of an instance in one process just before `at`: its last logged transition, or, when
 * none was logged yet (a process starts in the state collector_state holds, which all processes
 * share — a daemon restarted after kill -9 is a new process), the state the next transition leaves.
 */
function stateBefore(events: readonly DaemonEvent[], process: { daemon: number; life: number }, instance: string, at: number): string {
  let state: string | undefined;
  for (const e of events) {
    if (e.kind !== 'transition' || e.daemon !== process.daemon || e.life !== process.life || e.instance !== instance) continue;
    if (e.at < at) state = e.to;
    else return state ?? e.from;
  }
  return state ?? 'healthy';
}

function faultOutcome(mode: Mode, w: FaultWindow, blameUntil: number, cutAt: number, events: readonly DaemonEvent[], pages: ReadonlyMap<string, SortedTimes>, runs: readonly RunRow[], end: number): FaultOutcome {
  const base = { kind: w.kind, start: w.start, end: w.end, detail: w.detail, outage: w.outage };
  if (w.kind === 'kill-9') return { ...base, ...killOutcome(w, runs) };
  const failures = events.filter((e): e is Extract<DaemonEvent, { kind: 'run' }> => e.kind === 'run' && !e.ok && e.at >= w.start && e.at <= blameUntil);
  const affected = [...new Set(failures.map((e) => e.instance))].sort();
  // gtc reacts by leaving "healthy"; the replaced system's only reaction was at its threshold.
  const reacted = (state: string): boolean => (mode === 'gtc' ? state !== 'healthy' : state === 'suspended');
  let detection: number | null = null;
  let neverReacted = false;
  let recovery: number | null = null;
  let recoveryCut = false;
  const notRecovered: string[] = [];
  for (const instance of affected) {
    const mine = failures.filter((e) => e.instance === instance);
    const first = mine.reduce((a, b) => (b.at < a.at ? b : a));
    // The failure's own log line names the state it left: a reaction in the same step is 0, however
    // many real milliseconds (a GC pause, ×300) separate it from the transition's line.
    if (reacted(stateBefore(events, first, instance, first.at)) || (first.stateAfter !== undefined && reacted(first.stateAfter))) detection = Math.max(detection ?? 0, 0);
    else {
      const reaction = events.find((e) => e.kind === 'transition' && e.daemon === first.daemon && e.life === first.life && e.instance === instance && e.at >= first.at - 1 && reacted(e.to));
      if (reaction) detection = Math.max(detection ?? 0, reaction.at - first.at);
      else neverReacted = true;
    }
    // The instance is at work again when it (in any process) stores a page or completes a run
    // after its last failure: 0 when that happened before the fault ended; else see dataFlowsAfter.
    const lastFail = Math.max(...mine.map((e) => e.at));
    const successes = events.filter((e): e is Extract<DaemonEvent, { kind: 'run' }> => e.kind === 'run' && e.ok && e.instance === instance);
    const stored = pages.get(instance) ?? [];
    const storedAfterFailure = firstAfter(stored, lastFail);
    if (successes.some((run) => run.at > lastFail && run.at <= w.end) || (storedAfterFailure !== undefined && storedAfterFailure <= w.end)) {
      recovery = Math.max(recovery ?? 0, 0);
      continue;
    }
    if (!successes.some((run) => run.at > w.end)) {
      notRecovered.push(instance);
      recovery = Math.max(recovery ?? 0, end - w.end);
      continue;
    }
    const reading = recoveryReading(dataFlowsAfter(successes, stored, w.end), w.end, cutAt);
    if (reading.ms > (recovery ?? -1)) recoveryCut = reading.cut;
    recovery = Math.max(recovery ?? 0, reading.ms);
  }
  return { ...base, affected, failedRuns: failures.length, detectionMs: neverReacted ? null : detection, neverReacted, recoveryMs: recovery, notRecovered, ...(recoveryCut ? { recoveryCut } : {}) };
}

/**
 * How long after a fault's `end` the instance was at work again: the start of a run that
 * succeeded after the end (its own length is the API's pacing, not the outage), or the first page
 * it stored after the end — by a run that rode the fault out (not its start, that would hide a run
 * held up through the fault for minutes; nor its finish, the rest of a long run is pacing too),
 * or by any other run — or the finish of a run that rode it out with nothing to store.
 */
export function dataFlowsAfter(successes: readonly { startedAt: number; at: number }[], pageTimes: SortedTimes, end: number): number {
  let resumed = firstAfter(pageTimes, end, true) ?? Infinity;
  for (const run of successes) if (run.at >= end) resumed = Math.min(resumed, run.startedAt >= end ? run.startedAt : run.at);
  return resumed - end;
}

/**
 * An instance's recovery reading from `flowsAfterMs` (dataFlowsAfter), cut at `cutAt`, the next
 * outage's start: an instance not at work by then reads "at least until then" (`cut`), not the
 * wait through that outage too.
 */
export function recoveryReading(flowsAfterMs: number, end: number, cutAt: number): { ms: number; cut: boolean } {
  const limit = Math.max(0, cutAt - end);
  return flowsAfterMs > limit ? { ms: limit, cut: true } : { ms: flowsAfterMs, cut: false };
}

/** Times in ascending order (a soak stores hundreds of thousands of pages: searched, not scanned). */
export type SortedTimes = readonly number[];

/** The first of `sorted` after `t` (or at it, when `inclusive`), or undefined. */
export function firstAfter(sorted: SortedTimes, t: number, inclusive = false): number | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) > t || (inclusive && sorted[mid] === t)) hi = mid;
    else lo = mid + 1;
  }
  return sorted[lo];
}

/** Runs the killed process left in flight, and the delay until another process completed each such slot. */
function killOutcome(w: FaultWindow, runs: readonly RunRow[]): Pick<FaultOutcome, 'affected' | 'failedRuns' | 'detectionMs' | 'recoveryMs' | 'notRecovered' | 'killedRuns' | 'takeoverMs'> {
  const pid = /pid (\d+)/.exec(w.detail)?.[1];
  const killed = runs.filter((r) => pid !== undefined && r.instance_id.includes(`:${pid}:`) && (r.status === 'abandoned' || r.status === 'running') && r.slot_start !== null);
  let takeover: number | null = null;
  const notRecovered: string[] = [];
  for (const run of killed) {
    const done = runs.find((r) => r.collector === run.collector && r.slot_start === run.slot_start && r.status === 'ok');
    if (!done) {
      notRecovered.push(`${run.collector}@${new Date((run.slot_start as number) * 1000).toISOString()}`);
      continue;
    }
    takeover = Math.max(takeover ?? 0, done.started_at * 1000 - w.start);
  }
  return { affected: [...new Set(killed.map((r) => r.collector))], failedRuns: 0, detectionMs: null, recoveryMs: takeover, notRecovered, killedRuns: killed.length, takeoverMs: takeover };
}
