/**
 * Smoke test of the chaos harness's own parts (the full run is `npm run chaos`): the shared
 * accelerated clock, the lock holder really holding SQLite's write lock from another process,
 * and the trend fit the soak verdict rests on.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { LockHolder, retryAfterExpiry } from '../../bench/chaos/faults.ts';
import { availability, dataFlowsAfter, firstAfter, recoveryReading, type RunRow } from '../../bench/chaos/analysis.ts';
import { fit, soakResult } from '../../bench/chaos/soak.ts';
import { brkHeapMb } from '../../bench/chaos/cluster.ts';
import { Timebase } from '../support/timebase.ts';
import { ScaledClock } from '../../src/lib/clock.ts';
import { openStore } from '../../src/store/index.ts';
import { tempDir } from '../support/temp-dir.ts';

test('processes given the same start, anchor and speed agree on simulated time', () => {
  let real = 1_000_000;
  const realNow = (): number => real;
  const a = new ScaledClock(Date.UTC(2025, 8, 15), 90, realNow, 1_000_000);
  real += 500;
  // Started later, but anchored at the same real instant: the same simulated time.
  const b = new ScaledClock(Date.UTC(2025, 8, 15), 90, realNow, 1_000_000);
  assert.equal(a.now(), b.now());
  assert.equal(a.now(), Date.UTC(2025, 8, 15) + 500 * 90);
  const timebase = new Timebase(Date.UTC(2025, 8, 15), 90, 1_000_000);
  assert.equal(timebase.toSim(1_000_500), a.now());
});

test('the lock holder holds the SQLite write lock from another process until released', { timeout: 30_000 }, async (t) => {
  const file = join(tempDir(t), 'lock.sqlite');
  const store = await openStore({ url: `sqlite:${file}` });
  await store.close();
  const holder = await LockHolder.start(`sqlite:${file}`);
  t.after(() => holder.close());
  const db = new BetterSqlite3(file);
  t.after(() => db.close());
  db.pragma('busy_timeout = 0');
  await holder.lock();
  assert.throws(() => db.exec('BEGIN IMMEDIATE'), /database is locked/);
  await holder.release();
  db.exec('BEGIN IMMEDIATE');
  db.exec('COMMIT');
});

test('the trend fit finds a slope and calls a flat series flat', () => {
  const rising = fit([0, 1, 2, 3, 4].map((x) => ({ x, y: 100 + 5 * x })));
  assert.equal(rising?.slope, 5);
  assert.equal(rising?.r2, 1);
  const flat = fit([0, 1, 2, 3].map((x) => ({ x, y: 150 })));
  assert.equal(flat?.slope, 0);
  assert.equal(fit([{ x: 1, y: 1 }]), undefined);
});

test('recovery: a run started after the fault counts from its start, one that rode the fault out from its first page after the end', () => {
  const end = 100_000;
  // Started 3 s after the end, 40 s long: 3 s.
  assert.equal(dataFlowsAfter([{ startedAt: 103_000, at: 143_000 }], [110_000, 120_000], end), 3_000);
  // Rode the fault out, stored a page 1 s after the end and finished minutes later: 1 s; pages before the end do not count.
  assert.equal(dataFlowsAfter([{ startedAt: 90_000, at: end + 5 * 60_000 }], [95_000, 101_000, 130_000], end), 1_000);
  // Rode it out with nothing to store: its finish.
  assert.equal(dataFlowsAfter([{ startedAt: 90_000, at: 104_000 }], [], end), 4_000);
  // Held up through the fault until 18 min after it: a later-started run does not hide it, nor it the other.
  assert.equal(dataFlowsAfter([{ startedAt: 50_000, at: end + 19 * 60_000 }, { startedAt: 148_500, at: 150_000 }], [end + 18 * 60_000], end), 48_500);
  // A run that stored pages after the end and then failed (a later fault) still shows data flowing.
  assert.equal(dataFlowsAfter([{ startedAt: 400_000, at: 410_000 }], [102_000], end), 2_000);
  // A week's soak: hundreds of thousands of pages (a spread into Math.min overflowed the stack).
  const week = Array.from({ length: 500_000 }, (_, i) => i * 1_000);
  assert.equal(dataFlowsAfter([], week, 250_000_500), 500);
  assert.equal(firstAfter(week, 1_000), 2_000);
  assert.equal(firstAfter(week, 1_000, true), 1_000);
  assert.equal(firstAfter(week, 500_000_000), undefined);
});

test('recovery: an instance not at work yet when the next outage begins reads "at least until then", not the wait through that outage', () => {
  const end = 100_000;
  // A PostgreSQL restart ending 7.5 s before the simulator became unreachable for minutes.
  assert.deepEqual(recoveryReading(140_000, end, end + 7_500), { ms: 7_500, cut: true });
  assert.deepEqual(recoveryReading(3_000, end, end + 7_500), { ms: 3_000, cut: false });
  assert.deepEqual(recoveryReading(7_500, end, end + 7_500), { ms: 7_500, cut: false });
});

test('a 429 storm with Retry-After is in force until the last Retry-After sent before the switch expires', () => {
  const off = 100_000;
  const requests = [{ status: 429, at: 80_000 }, { status: 429, at: 97_500 }, { status: 200, at: 99_000 }, { status: 429, at: 101_000 }];
  assert.equal(retryAfterExpiry(off, requests, 10_000), 107_500, 'the refusal at 97.5 s said: not before 107.5 s; the one after the switch is not the storm');
  assert.equal(retryAfterExpiry(off, [{ status: 429, at: 80_000 }], 10_000), off, 'an expired Retry-After does not extend it');
  assert.equal(retryAfterExpiry(off, [], 10_000), off);
});

test('RSS and heap trends: the slope over each life, and over its last third — growth that levels off reads flat there; RSS split into anonymous and file-backed pages', () => {
  const DAY = 86_400_000;
  // Rises 30 MB over the first 1.5 days, then stays: a working size reached, not a leak.
  const rss = Array.from({ length: 301 }, (_, i) => {
    const at = (i * 3 * DAY) / 300;
    // The rise is anonymous memory; 20 MB of file-backed pages (code paged in) grow by 2 MB a day throughout.
    const anonMb = 80 + Math.min(30, (30 * at) / (1.5 * DAY));
    const fileMb = 20 + (2 * at) / DAY;
    // The brk heap is read every 10th sample only; it holds 12 MB throughout.
    return { daemon: 0, pid: 7, at, rssMb: anonMb + fileMb, anonMb, fileMb, ...(i % 10 === 0 ? { brkMb: 12 } : {}) };
  });
  // The heap's live objects after full collections stay at 40 MB: the growth is not a leak in JavaScript.
  const heap = rss.map((s) => ({ daemon: 0, pid: 7, at: s.at, usedMb: 40, committedMb: 60 + Math.min(10, s.at / DAY) }));
  const soak = soakResult({ rss, heap }, [], DAY);
  assert.equal(soak.heapUsedSlopeMbPerDay, 0);
  assert.equal(soak.peakHeapCommittedMb, 63);
  assert.ok((soak.rssSlopeMbPerDay ?? 0) > 5, `over the whole life: ${soak.rssSlopeMbPerDay} MB/day`);
  assert.equal(soak.rssSlopeLastThirdMbPerDay, 2);
  assert.equal(soak.rssProcesses[0]?.lastThirdSlopeMbPerDay, 2);
  assert.equal(soak.rssAnon.lastThirdSlopeMbPerDay, 0, 'the anonymous part levels off');
  assert.equal(soak.rssFile.slopeMbPerDay, 2);
  assert.equal(soak.rssFile.lastThirdSlopeMbPerDay, 2);
  assert.equal(soak.rssFile.peakMb, 26);
  assert.equal(soak.rssAnon.peakMb, 110);
  assert.equal(soak.rssLongestLife?.pid, 7, 'the one process is the longest-lived');
  // A second, shorter life that climbs steeply: the steepest trend is its, the longest life's stays pid 7's.
  const short = Array.from({ length: 101 }, (_, i) => ({ daemon: 1, pid: 8, at: (i * DAY) / 100, rssMb: 100 + 20 * (i / 100), anonMb: 80 + 20 * (i / 100), fileMb: 20 }));
  const both = soakResult({ rss: [...rss, ...short], heap }, [], DAY);
  assert.equal(both.rssLongestLife?.pid, 7);
  assert.equal(both.rssLongestLife?.hours, 72);
  assert.equal(both.rssSlopeMbPerDay, 20);
  assert.equal(soak.rssBrk.slopeMbPerDay, 0);
  assert.equal(soak.rssBrk.peakMb, 12);
});

test('the brk heap\'s resident size is read from its /proc/<pid>/smaps entry, not from a mapping before or after it', () => {
  const entry = (range: string, name: string, rssKb: number): string => `${range} rw-p 00000000 00:00 0 ${name}\nSize: ${rssKb * 2} kB\nKernelPageSize: 4 kB\nRss: ${rssKb} kB\nPss: ${rssKb} kB\n`;
  const smaps = entry('5600-5700', '/usr/bin/node', 44_000) + entry('4031b000-40ea2000', '[heap]', 11_572) + entry('7f00-7f10', '', 900);
  assert.equal(brkHeapMb(smaps), 11_572 / 1024);
  assert.equal(brkHeapMb(entry('5600-5700', '/usr/bin/node', 44_000)), 0, 'no brk heap: 0');
});

test('availability: a trades grid point inside an ok trades run under way is served; a snapshot slot, a failed run or a gap is not', () => {
  const MIN = 60_000;
  const intervals = { dexes: 60 * MIN, 'top-pools': 5 * MIN, 'new-pools': 5 * MIN, watchlist: 5 * MIN, ohlcv: 15 * MIN, trades: 10 * MIN };
  const s = (ms: number): number => ms / 1000;
  const run = (collector: string, slot: number | null, startedAt: number, finishedAt: number, status = 'ok'): RunRow => ({ collector, instance_id: 'p', slot_start: slot === null ? null : s(slot), started_at: s(startedAt), finished_at: s(finishedAt), status });
  const runs: RunRow[] = [
    run('trades', 0, 0, 30_000), // grid point 0: its own run
    run('trades', 7 * MIN, 7 * MIN, 13 * MIN), // grid point 10 min: every process busy from 7 to 13 min, ok
    run('trades', 18 * MIN, 18 * MIN, 23 * MIN, 'failed'), // grid point 20 min: under way, but the run failed
    run('top-pools:solana', 0, 0, 30_000),
    run('top-pools:solana', 3 * MIN, 3 * MIN, 11 * MIN), // top-pools 5 and 10 min: a run under way fetches no later snapshot
  ];
  const result = availability(intervals, runs, 0, 30 * MIN, []);
  assert.deepEqual(result.missed, ['top-pools:solana@1970-01-01T00:05:00.000Z', 'top-pools:solana@1970-01-01T00:10:00.000Z', 'top-pools:solana@1970-01-01T00:15:00.000Z', 'top-pools:solana@1970-01-01T00:20:00.000Z', 'top-pools:solana@1970-01-01T00:25:00.000Z', 'trades@1970-01-01T00:20:00.000Z']);
  assert.equal(result.scheduled, 9);
  assert.equal(result.succeeded, 3);
  assert.equal(result.servedByRunUnderWay, 1);
  // Outside outages: the slots an outage touches are left out, served or not.
  const outside = availability(intervals, runs, 0, 30 * MIN, [{ kind: 'api-5xx', start: 19 * MIN, end: 21 * MIN, outage: true, hits: 'api', detail: '' }]);
  assert.ok(!outside.missed.includes('trades@1970-01-01T00:20:00.000Z'));
});
