/**
 * `npm run bench -- parse [--ms N]`
 *
 * Pages/s parsing and validating the largest real fixtures into domain records (the client's
 * parse functions: JSON.parse, zod per item, include resolution, OHLCV lexemes and flags),
 * against JSON.parse alone over the same bodies in the same run. Goal: ratio >= 0.25.
 * Each figure is the best of 3 rounds of N ms (default 1000).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseOhlcvPage, parsePoolsPage, parseTradesPage } from '../src/api/index.ts';
import { ratio, report } from './lib/report.ts';

const FIXTURES = new URL('../../shared/fixtures/geckoterminal/', import.meta.url);

const CASES: { name: string; file: string; parse: (body: string) => unknown }[] = [
  { name: 'trades', file: 'trades_solana.json', parse: (body) => parseTradesPage(body, 'solana_pool', 'bench') },
  { name: 'pools-include', file: 'new_pools_solana_include.json', parse: (body) => parsePoolsPage(body, { what: 'bench', observedAt: 0 }) },
  { name: 'pools-all-networks', file: 'new_pools_all_networks.json', parse: (body) => parsePoolsPage(body, { what: 'bench', observedAt: 0 }) },
  { name: 'ohlcv', file: 'ohlcv_eth_minute15_raw.json', parse: (body) => parseOhlcvPage(body, { poolId: 'eth_pool', timeframe: '15m', what: 'bench' }) },
];

/** Calls per second of `fn`, best of 3 rounds of `ms`. */
function rate(fn: () => unknown, ms: number): number {
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ms) {
      for (let i = 0; i < 10; i++) fn();
      calls += 10;
      elapsed = performance.now() - start;
    }
    best = Math.max(best, (calls * 1000) / elapsed);
  }
  return Math.round(best);
}

export async function run(args: string[]): Promise<void> {
  const msAt = args.indexOf('--ms');
  const ms = msAt >= 0 ? Number(args[msAt + 1]) : 1000;
  let sumRatio = 0;
  for (const c of CASES) {
    const body = readFileSync(new URL(c.file, FIXTURES), 'utf8');
    // Warm up both paths so the JIT has compiled them before measuring.
    for (let i = 0; i < 50; i++) {
      c.parse(body);
      JSON.parse(body);
    }
    const parsed = rate(() => c.parse(body), ms);
    const baseline = rate(() => JSON.parse(body), ms);
    sumRatio += parsed / baseline;
    report({ bench: 'parse', metric: `pages_per_s:${c.name}`, value: parsed, unit: 'pages/s', baseline: 'JSON.parse', baselineValue: baseline, ratio: ratio(parsed, baseline), bytes: body.length });
  }
  report({ bench: 'parse', metric: 'mean_ratio', value: ratio(sumRatio, CASES.length), unit: 'ratio', baseline: 'goal', baselineValue: 0.25, ratio: ratio(sumRatio / CASES.length, 0.25) });
}
