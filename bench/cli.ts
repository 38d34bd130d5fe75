/**
 * `npm run bench -- cli [--runs N]`
 *
 * Wall time of `gtc status --json` (a database with collector states, runs and gaps) against
 * `node -e 0` in the same run, each the median of N runs, interleaved so machine load hits both
 * alike. Measured as users run it:
 * - `tsx`: `node --import tsx src/cli/main.ts` (`npm run gtc`, and bin/gtc.js before a build);
 * - `built`: `node dist/cli/main.js` after `npm run build` (what bin/gtc.js runs once built),
 *   compiled here into .bench-tmp so the repository's own dist/ is left alone.
 * Plus `gtc --version` (built): the floor every command pays (commander and configuration).
 * Goal: ratio <= 5.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildSources } from '../test/cli/build-sources.ts';
import { filledStore } from '../test/server/fill-store.ts';
import { ratio, report } from './lib/report.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function timeOnce(args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

export async function run(args: string[]): Promise<void> {
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 15;
  const filled = await filledStore();
  await filled.store.close();
  const build = buildSources('bench-cli');
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? ROOT, GTC_DATABASE_URL: filled.url };
  const commands: Record<string, string[]> = {
    baseline: ['-e', '0'],
    tsx: ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'status', '--json'],
    built: [join(build.dist, 'cli/main.js'), 'status', '--json'],
    version: [join(build.dist, 'cli/main.js'), '--version'],
  };
  try {
    // warm-up: tsx's transform cache and the OS file cache
    for (const command of Object.values(commands)) timeOnce(command, env);
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
    for (let i = 0; i < runs; i++) for (const [name, command] of Object.entries(commands)) times[name]?.push(timeOnce(command, env));
    const base = median(times.baseline as number[]);
    const line = (metric: string, name: string) => {
      const value = Math.round(median(times[name] as number[]) * 10) / 10;
      report({ bench: 'cli', metric, value, unit: 'ms', baseline: 'node -e 0', baselineValue: Math.round(base * 10) / 10, ratio: ratio(value, base), runs });
    };
    line('status-json-tsx', 'tsx');
    line('status-json-built', 'built');
    line('version-built', 'version');
  } finally {
    build.cleanup();
    await filled.cleanup();
  }
}
