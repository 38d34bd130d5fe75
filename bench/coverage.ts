/**
 * `npm run bench -- coverage [--pools 50,200,500] [--hours 24]`: how much of what the API offers
 * gtc captures within 30 calls a minute, against a fixed schedule with the same budget, in the
 * same run and on the same simulated market.
 *
 * - gtc: the ohlcv and trades collectors run for real (simulator over HTTP, SQLite, the rate
 *   limiter) on an accelerated clock; their interval, adaptive per-pool polls and priorities as
 *   configured by default.
 * - fixed schedule (baseline): every pool polled on one interval, round robin, one call every 2 s
 *   (trades, then each timeframe's newest 1000 candles); evaluated against the simulator's truth
 *   at the moments its calls would be answered (what each call would return is exactly what the
 *   simulator serves then: the last 300 trades of 24 h, the newest candles), so it costs no time.
 *
 * Trades captured = share of the trades made during the run that are stored or still served by
 * the API at the end (the rest is lost for good). Candles captured = share of the candles that
 * closed during the run (up to one collector interval before the end) stored with their final
 * values. API calls = calls made.
 */
import { buildCollectors } from '../src/collectors/index.ts';
import { intervalStart, TIMEFRAME_SECONDS } from '../src/collectors/ohlcv-window.ts';
import type { MarketTruth } from '../src/sim/index.ts';
import { startHarness, watchPools } from '../test/collectors/support/harness.ts';
import { runLoops } from '../test/collectors/support/loops.ts';
import { tempDir } from '../test/support/temp-dir.ts';
import { ratio, report } from './lib/report.ts';

const DAY = 86_400_000;
const CALL_SPACING_MS = 2000;
const TRADE_WINDOW = 300;

interface Shares {
  tradesCaptured: number;
  tradesTotal: number;
  tradesLost: number;
  candlesCaptured: number;
  candlesTotal: number;
  calls: number;
}

interface PoolTrades {
  atMs: number[];
  ids: string[];
}

export async function run(args: string[]): Promise<void> {
  const option = (name: string, fallback: string): string => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 && args[at + 1] ? (args[at + 1] as string) : fallback;
  };
  const sizes = option('pools', '50,200,500').split(',').map(Number);
  const hours = Number(option('hours', '24'));
  for (const size of sizes) {
    const started = Date.now();
    const { ours, fixed } = await measure(size, hours);
    const extra = { pools: size, hours, seconds: Math.round((Date.now() - started) / 1000) };
    report({ bench: 'coverage', metric: `trades_captured_${size}_pools`, value: round(ours.tradesCaptured), unit: 'share', baseline: 'fixed-schedule', baselineValue: round(fixed.tradesCaptured), ratio: ratio(ours.tradesCaptured, fixed.tradesCaptured), trades: ours.tradesTotal, lost: ours.tradesLost, baselineLost: fixed.tradesLost, ...extra });
    report({ bench: 'coverage', metric: `candles_captured_${size}_pools`, value: round(ours.candlesCaptured), unit: 'share', baseline: 'fixed-schedule', baselineValue: round(fixed.candlesCaptured), ratio: ratio(ours.candlesCaptured, fixed.candlesCaptured), candles: ours.candlesTotal, ...extra });
    report({ bench: 'coverage', metric: `api_calls_${size}_pools`, value: ours.calls, unit: 'calls', baseline: 'fixed-schedule', baselineValue: fixed.calls, ratio: ratio(ours.calls, fixed.calls), budget: hours * 60 * 30, ...extra });
  }
}

function round(share: number): number {
  return Math.round(share * 1e6) / 1e6;
}

async function measure(size: number, hours: number): Promise<{ ours: Shares; fixed: Shares }> {
  const h = await startHarness({ dir: tempDir(), sim: { seed: 'coverage', poolsPerNetwork: size + 20 } });
  try {
    const pools = await watchPools(h, size);
    const start = h.clock.now();
    const end = start + hours * 3_600_000;
    const instances = buildCollectors(h.deps, { collectors: ['ohlcv', 'trades'] });
    await h.driver.drive(runLoops({ ...h.deps, logger: h.logger }, instances, end));
    const calls = h.sim.stats.snapshot().total;
    const timeframes = h.config.collectors.ohlcv.timeframes;
    const graceMs = h.config.collectors.ohlcv.interval;
    const truth = h.sim.market.truth;
    const fixedPolls = fixedSchedule(size, timeframes.length, start, end);
    const ours: Shares = { tradesCaptured: 0, tradesTotal: 0, tradesLost: 0, candlesCaptured: 0, candlesTotal: 0, calls };
    const fixed: Shares = { ...ours, calls: fixedPolls.calls };
    let oursCandles = 0;
    let fixedCandles = 0;
    for (const [index, poolId] of pools.entries()) {
      const trades = poolTrades(truth, poolId, start - DAY, end);
      const stillServed = servedAt(trades, end);
      const stored = new Set((await h.store.read.trades.range(poolId, { fromTs: Math.floor((start - DAY) / 1000), limit: 10_000_000 })).map((t) => t.id));
      const fixedCaptured = new Uint8Array(trades.atMs.length);
      for (const at of fixedPolls.trades[index] ?? []) {
        const served = servedAt(trades, at);
        fixedCaptured.fill(1, served.lo, served.hi);
      }
      for (let i = 0; i < trades.atMs.length; i++) {
        if ((trades.atMs[i] as number) < start || (i >= stillServed.lo && i < stillServed.hi)) {
          if ((trades.atMs[i] as number) >= start) ours.tradesTotal += 1;
          continue;
        }
        ours.tradesTotal += 1;
        if (!stored.has(trades.ids[i] as string)) ours.tradesLost += 1;
        if (!fixedCaptured[i]) fixed.tradesLost += 1;
      }
      for (const [t, timeframe] of timeframes.entries()) {
        const size = TIMEFRAME_SECONDS[timeframe] * 1000;
        const closedBy = end - graceMs;
        const served = truth.candles(poolId, timeframe, intervalStart(Math.floor(start / 1000), timeframe) * 1000, closedBy - size + 1);
        const rows = new Map((await h.store.read.candles.range(poolId, timeframe, { fromTs: intervalStart(Math.floor(start / 1000), timeframe) })).map((c) => [c.ts, c]));
        const lastFixedPoll = fixedPolls.candles[index]?.[t] ?? 0;
        ours.candlesTotal += served.length;
        for (const candle of served) {
          const row = rows.get(candle.ts);
          if (row && row.open === candle.open && row.high === candle.high && row.low === candle.low && row.close === candle.close && row.volumeUsd === candle.volume) oursCandles += 1;
          if (candle.ts * 1000 + size <= lastFixedPoll) fixedCandles += 1;
        }
      }
    }
    fixed.tradesTotal = ours.tradesTotal;
    fixed.candlesTotal = ours.candlesTotal;
    ours.tradesCaptured = share(ours.tradesTotal - ours.tradesLost, ours.tradesTotal);
    fixed.tradesCaptured = share(fixed.tradesTotal - fixed.tradesLost, fixed.tradesTotal);
    ours.candlesCaptured = share(oursCandles, ours.candlesTotal);
    fixed.candlesCaptured = share(fixedCandles, fixed.candlesTotal);
    return { ours, fixed };
  } finally {
    await h.close();
  }
}

function share(part: number, total: number): number {
  return total === 0 ? 1 : part / total;
}

/** Every trade of a pool in [fromMs, toMs), oldest first. */
function poolTrades(truth: MarketTruth, poolId: string, fromMs: number, toMs: number): PoolTrades {
  const trades = truth.trades(poolId, fromMs, toMs);
  return { atMs: trades.map((t) => Date.parse(t.attributes.block_timestamp)), ids: trades.map((t) => t.id) };
}

/**
 * Index range [lo, hi) of the trades the API serves at `at`: the last 300 of the 24 h before it.
 * Block timestamps are whole seconds, so a trade of the very second `at` falls in counts as not
 * served (the same for both schedules).
 */
function servedAt(trades: PoolTrades, at: number): { lo: number; hi: number } {
  const hi = upperBound(trades.atMs, at - 1000);
  const lo = Math.max(upperBound(trades.atMs, at - DAY), hi - TRADE_WINDOW);
  return { lo: Math.min(lo, hi), hi };
}

/** First index whose value is > `value` (values sorted ascending). */
function upperBound(values: readonly number[], value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((values[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The fixed schedule's call times: per pool its trade polls, per pool × timeframe its last candle poll. */
function fixedSchedule(pools: number, timeframes: number, start: number, end: number): { calls: number; trades: number[][]; candles: number[][] } {
  const perPool = 1 + timeframes;
  const trades: number[][] = Array.from({ length: pools }, () => []);
  const candles: number[][] = Array.from({ length: pools }, () => new Array<number>(timeframes).fill(0));
  let calls = 0;
  for (let at = start; at < end; at += CALL_SPACING_MS, calls++) {
    const unit = calls % (pools * perPool);
    const pool = Math.floor(unit / perPool);
    const kind = unit % perPool;
    if (kind === 0) trades[pool]?.push(at);
    else (candles[pool] as number[])[kind - 1] = at;
  }
  return { calls, trades, candles };
}
