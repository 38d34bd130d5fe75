/**
 * gtc's chaos and soak harness (issue 7):
 *
 *   npm run chaos -- [--profile quick|full] [--dialect sqlite|postgres] [--no-baseline] [--seed S] [--speed N] [--hours H] [--set key.path=value]… [--built] [--strict] [--keep]
 *   (= node --import tsx bench/chaos/main.ts …)
 *
 * --built runs the daemons from the `npm run build` bundle (as `npx gtc start` does after a build)
 * instead of the TypeScript sources through tsx (as `npm start` does).
 *
 * Runs the simulator and three `gtc start` processes on one database on an accelerated clock,
 * injects every fault of the profile, compares the database with the simulator's truth, then does
 * the same with the daemons configured as the replaced system (the baseline), and prints JSON
 * lines (design.md §10) on stdout and a markdown report to bench/chaos/reports/. Exits 1 when the
 * data is wrong (rows lost or duplicated, a gap unrecorded, integrity not ok); timing goals that
 * are missed are reported, and fail the run only with --strict.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle } from '../../test/cli/build-sources.ts';
import { createThrowawayPostgres, type ThrowawayPostgres } from './postgres.ts';
import { runPass } from './pass.ts';
import { profile as profileNamed } from './profiles.ts';
import { dataGoalsFailed, goals, markdown, printLines, type ChaosRun } from './report.ts';
import { soakResult } from './soak.ts';

interface Args {
  profile: string;
  dialect: 'sqlite' | 'postgres';
  baseline: boolean;
  seed: string;
  speed: number | undefined;
  strict: boolean;
  keep: boolean;
  /** Simulated hours instead of the profile's length (the fault cycle is cut where it ends). */
  hours: number | undefined;
  /** `--set key.path=value` overrides of the gtc daemons' configuration (not the baseline's): what-if runs. */
  overrides: [string, string][];
  /** Daemons from the `npm run build` bundle rather than through tsx. */
  built: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { profile: 'quick', dialect: 'sqlite', baseline: true, seed: 'chaos', speed: undefined, strict: false, keep: false, hours: undefined, overrides: [], built: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--profile') args.profile = value();
    else if (flag === '--dialect') {
      const d = value();
      if (d !== 'sqlite' && d !== 'postgres') throw new Error(`--dialect must be sqlite or postgres, got "${d}"`);
      args.dialect = d;
    } else if (flag === '--baseline') args.baseline = true;
    else if (flag === '--no-baseline') args.baseline = false;
    else if (flag === '--seed') args.seed = value();
    else if (flag === '--speed') args.speed = Number(value());
    else if (flag === '--hours') args.hours = Number(value());
    else if (flag === '--set') {
      const [key, ...rest] = value().split('=');
      if (!key || rest.length === 0) throw new Error('--set needs key.path=value, e.g. --set api.breakerHalfOpenAfter=5s');
      args.overrides.push([key, rest.join('=')]);
    } else if (flag === '--strict') args.strict = true;
    else if (flag === '--keep') args.keep = true;
    else if (flag === '--built') args.built = true;
    else throw new Error(`unknown option ${flag} (see bench/chaos/main.ts)`);
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const profile = profileNamed(args.profile);
  if (args.speed !== undefined) profile.speed = args.speed;
  if (args.hours !== undefined) profile.durationMs = args.hours * 3_600_000;
  const startedAt = new Date().toISOString();
  const workDir = mkdtempSync(join(tmpdir(), `gtc-chaos-${profile.name}-${args.dialect}-`));
  const progress = (line: string): void => void process.stderr.write(`chaos: ${line}\n`);
  progress(`work folder ${workDir}`);
  let postgres: ThrowawayPostgres | undefined;
  const bundle = args.built ? buildBundle(`chaos-${process.pid}`) : undefined;
  if (bundle) progress(`daemons run the bundle ${bundle.bin}`);
  try {
    if (args.dialect === 'postgres') {
      postgres = await createThrowawayPostgres();
      progress(`throwaway PostgreSQL cluster on 127.0.0.1:${postgres.port}`);
    }
    // The soak trend needs a process that lived a while: a simulated day (full) or half the run (quick).
    const minLifeMs = Math.min(86_400_000, profile.durationMs / 2);
    const pass = async (mode: 'gtc' | 'baseline'): Promise<{ output: Awaited<ReturnType<typeof runPass>>; soak: ReturnType<typeof soakResult> }> => {
      const output = await runPass({ mode, profile, dialect: args.dialect, postgres, workDir, seed: args.seed, progress, overrides: mode === 'gtc' ? args.overrides : [], ...(bundle ? { gtcBin: bundle.bin } : {}) });
      return { output, soak: soakResult(output, output.soak, minLifeMs) };
    };
    const gtc = await pass('gtc');
    const baseline = args.baseline ? await pass('baseline') : undefined;
    const run: ChaosRun = { profile: profile.name, dialect: args.dialect, seed: args.seed, speed: profile.speed, intervals: profile.intervals, sparedFromKills: profile.sparedFromKills, startedAt, gtc, baseline };
    printLines(run);
    const command = `npm run chaos -- --profile ${profile.name} --dialect ${args.dialect}${args.baseline ? '' : ' --no-baseline'}${args.speed !== undefined ? ` --speed ${args.speed}` : ''}${args.hours !== undefined ? ` --hours ${args.hours}` : ''}${args.overrides.map(([k, v]) => ` --set ${k}=${v}`).join('')}${args.built ? ' --built' : ''}`;
    const reportDir = new URL('./reports/', import.meta.url).pathname;
    mkdirSync(reportDir, { recursive: true });
    // One file per kind of run, so a shortened, what-if or bundle run does not overwrite the day's plain one.
    const variant = `${args.speed !== undefined ? `-x${args.speed}` : ''}${args.hours !== undefined ? `-${args.hours}h` : ''}${args.overrides.length ? '-whatif' : ''}${args.built ? '-built' : ''}`;
    const file = join(reportDir, `${startedAt.slice(0, 10)}-${profile.name}-${args.dialect}${variant}.md`);
    writeFileSync(file, markdown(run, command));
    writeFileSync(join(workDir, 'result.json'), JSON.stringify(run, null, 1));
    progress(`report: ${file}`);
    for (const goal of goals(run)) progress(`${goal.met ? 'met   ' : 'MISSED'} ${goal.goal}: ${goal.value}`);
    if (dataGoalsFailed(run) || (args.strict && goals(run).some((g) => !g.met))) process.exitCode = 1;
  } finally {
    bundle?.cleanup();
    await postgres?.destroy();
    if (!args.keep && process.exitCode !== 1) rmSync(workDir, { recursive: true, force: true });
    else progress(`kept ${workDir} (daemon logs, configuration, result.json)`);
  }
}

await main();
