/**
 * `npm run bench -- limiter [--speed N] [--minutes M] [--rate R] [--storm D]`
 *
 * Four concurrent callers share one API client (one rate limiter) against the simulator over
 * real HTTP, for M simulated minutes (default 10) at N× real time (default 5: two real minutes;
 * faster runs turn a few ms of real timer lateness on a busy machine into a visible loss of rate).
 * The simulator's limit equals the client's rate R (default 30/min). Reports the calls per
 * minute the server saw (every whole minute, and the most in any sliding 60 s) against R, the
 * 429s it answered (expected: 0), and each caller's share of the calls (FIFO: 1/4 each).
 * The simulator enforces its limit on arrival but timestamps its statistics when it answers, so
 * `calls_in_any_60s_max` (from those timestamps) can read rate + 1 while `server_429s` is 0.
 *
 * `--storm 2m`: a 429 storm (every call refused, no Retry-After) from minute 2 for D simulated
 * minutes. Reports storm end → the first call answered, and storm end → the start of the first
 * 60 s in which the server answered at least 90 % of the rate (the queued work flowing at full
 * pace again); the per-minute figures above then include the storm.
 */
import { createApiClient } from '../src/api/index.ts';
import { parseDuration } from '../src/config/index.ts';
import { ScaledClock, startSimulator } from '../src/sim/index.ts';
import { summarize } from './lib/stats.ts';
import { ratio, report } from './lib/report.ts';

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  if (!(value > 0)) throw new Error(`--${name} must be a positive number`);
  return value;
}

export async function run(args: string[]): Promise<void> {
  const speed = option(args, 'speed', 5);
  const minutes = option(args, 'minutes', 10);
  const rate = option(args, 'rate', 30);
  const stormAt = args.indexOf('--storm');
  const stormMs = stormAt >= 0 ? parseDuration(args[stormAt + 1] ?? '') : undefined;
  if (stormAt >= 0 && stormMs === undefined) throw new Error('--storm: expected a duration such as 2m');
  const clock = new ScaledClock(Date.UTC(2025, 8, 1), speed);
  const sim = await startSimulator({ clock, requestsPerMinute: rate, poolsPerNetwork: 20, seed: 'bench-limiter', recentRequests: 100_000 });
  const waits: number[] = [];
  const queueWaits: number[] = [];
  const api = createApiClient({ baseUrl: sim.url, clock, requestsPerMinute: rate, hooks: { onQueueWait: ({ waitedMs }) => queueWaits.push(waitedMs) } });
  const addresses = sim.market.truth.pools().map((p) => p.address);
  const start = clock.now();
  const end = start + minutes * 60_000;
  const perCaller = [0, 0, 0, 0];
  let failures = 0;
  const storm = stormMs === undefined ? undefined : { start: start + 2 * 60_000, end: start + 2 * 60_000 + stormMs };
  const stormDone = storm ? (async () => {
    await clock.sleep(storm.start - clock.now());
    sim.faults.set({ mode: '429' });
    await clock.sleep(storm.end - clock.now());
    sim.faults.set({ mode: 'none' });
  })() : Promise.resolve();
  try {
    await Promise.all(
      perCaller.map(async (_, caller) => {
        for (let n = 0; clock.now() < end; n++) {
          const queued = clock.now();
          try {
            await api.pool('solana', addresses[(caller * 5 + n) % addresses.length]!);
            perCaller[caller]! += 1;
          } catch {
            failures += 1;
          }
          waits.push(clock.now() - queued);
        }
      }),
    );
    await stormDone;
  } finally {
    await sim.close();
  }

  const requests = sim.stats.snapshot().recent.filter((r) => r.at >= start && r.at < end);
  const times = requests.map((r) => r.at).sort((a, b) => a - b);
  const perMinute = Array.from({ length: Math.floor(minutes) }, (_, m) => times.filter((t) => t >= start + m * 60_000 && t < start + (m + 1) * 60_000).length);
  let maxSliding = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[j]! <= times[i]! - 60_000) j++;
    maxSliding = Math.max(maxSliding, i - j + 1);
  }
  const tooMany = requests.filter((r) => r.status === 429).length;
  const total = perCaller.reduce((s, v) => s + v, 0);
  const mean = perMinute.reduce((s, v) => s + v, 0) / perMinute.length;
  const common = { speed, minutes, callers: 4 };
  report({ bench: 'limiter', metric: 'calls_per_minute_mean', value: Math.round(mean * 100) / 100, unit: 'calls/min', baseline: 'configured rate', baselineValue: rate, ratio: ratio(mean, rate), perMinute, ...common });
  report({ bench: 'limiter', metric: 'calls_per_minute_min', value: Math.min(...perMinute), unit: 'calls/min', baseline: 'configured rate', baselineValue: rate, ratio: ratio(Math.min(...perMinute), rate), ...common });
  report({ bench: 'limiter', metric: 'calls_in_any_60s_max', value: maxSliding, unit: 'calls', baseline: 'configured rate', baselineValue: rate, ratio: ratio(maxSliding, rate), ...common });
  report({ bench: 'limiter', metric: 'server_429s', value: tooMany, unit: 'responses', baseline: 'expected', baselineValue: 0, ratio: tooMany === 0 ? 1 : 0, requests: requests.length, failures, ...common });
  report({ bench: 'limiter', metric: 'caller_share_min', value: Math.round((Math.min(...perCaller) / total) * 1000) / 1000, unit: 'share', baseline: 'fair share', baselineValue: 0.25, ratio: ratio(Math.min(...perCaller) / total, 0.25), perCaller, ...common });
  if (storm) {
    const answered = requests.filter((r) => r.status === 200 && r.at >= storm.end).map((r) => r.at).sort((a, b) => a - b);
    const first = answered[0];
    const fullPace = answered.find((t) => answered.filter((u) => u >= t && u < t + 60_000).length >= 0.9 * rate && t + 60_000 <= end);
    const stormCommon = { stormSeconds: (storm.end - storm.start) / 1000, ...common };
    if (first === undefined || fullPace === undefined) process.stderr.write(`limiter: after the storm, first answer ${first}, full pace ${fullPace} (not observed before the end)\n`);
    else {
      const firstS = (first - storm.end) / 1000;
      report({ bench: 'limiter', metric: 'storm_end_to_first_answer_s', value: firstS, unit: 's', baseline: 'one call per 30 s while refused', baselineValue: 30, ratio: ratio(firstS, 30), ...stormCommon });
      report({ bench: 'limiter', metric: 'storm_end_to_full_pace_s', value: (fullPace - storm.end) / 1000, unit: 's', baseline: 'first answer', baselineValue: firstS, ratio: ratio((fullPace - storm.end) / 1000, firstS), ...stormCommon });
    }
  }
  const wait = summarize(queueWaits);
  const turn = (4 * 60_000) / rate;
  report({ bench: 'limiter', metric: 'queue_wait_p99_sim_ms', value: wait.p99, unit: 'ms (simulated)', baseline: 'one FIFO round (4 callers × 60 s / rate)', baselineValue: turn, ratio: ratio(wait.p99, turn), max: wait.max, callLatencyMaxSimMs: summarize(waits).max, ...common });
}
