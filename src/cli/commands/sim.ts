import { Command } from 'commander';
import type { FaultMode } from '../../sim/faults.ts';
import { action, printJson, UsageError } from '../context.ts';

interface SimCliOptions {
  port: string;
  host: string;
  seed: string;
  pools: string;
  networks: string;
  speed: string;
  rateLimit: string;
  start?: string;
  fault?: string;
  hostileNames?: boolean;
  json?: boolean;
}

function numberOption(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min) throw new UsageError(`--${name} must be a number >= ${min}, got "${text}"`);
  return value;
}

/** `gtc sim`: a GeckoTerminal-compatible API with a synthetic market, for demos, tests and chaos runs. */
export function simCommand(): Command {
  return new Command('sim')
    .description('serve a simulated GeckoTerminal API (seeded synthetic market, real limits, injectable faults at /__admin)')
    .option('--port <port>', 'TCP port (0 = any free port)', '8787')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--seed <seed>', 'market seed: the same seed and time give the same answers', 'gtc')
    .option('--pools <n>', 'pools per network at the start', '100')
    .option('--networks <list>', 'comma-separated networks (solana, eth, bsc, base, polygon_pos)', 'solana')
    .option('--speed <x>', 'simulated seconds per real second', '1')
    .option('--rate-limit <n>', 'calls per minute before 429 (0 = unlimited)', '30')
    .option('--start <time>', 'simulated start time (ISO 8601; default now)')
    .option('--fault <mode>', 'start with this fault active (429, 429-retry-after, 5xx, hang, slow, malformed, drift, unreachable)')
    .option('--hostile-names', 'give some tokens HTML/formula names to test escaping')
    .option('--json', 'print the URLs as JSON')
    .action(
      action(async (options: SimCliOptions) => {
        const startTime = options.start === undefined ? undefined : Date.parse(options.start);
        if (startTime !== undefined && Number.isNaN(startTime)) throw new UsageError(`--start must be an ISO 8601 time, got "${options.start}"`);
        const { startSimulator } = await import('../../sim/index.ts');
        const { FaultSpecError } = await import('../../sim/faults.ts');
        const { NETWORKS } = await import('../../sim/catalog.ts');
        const networks = options.networks.split(',').map((n) => n.trim()).filter(Boolean);
        const unknown = networks.filter((n) => !NETWORKS.some((known) => known.id === n));
        if (unknown.length > 0) throw new UsageError(`--networks: unknown ${unknown.join(', ')}; the simulator knows ${NETWORKS.map((n) => n.id).join(', ')}`);
        const sim = await startSimulator({
          port: numberOption('port', options.port, 0),
          host: options.host,
          seed: options.seed,
          poolsPerNetwork: numberOption('pools', options.pools, 0),
          networks,
          speed: numberOption('speed', options.speed, Number.MIN_VALUE),
          requestsPerMinute: numberOption('rate-limit', options.rateLimit, 0),
          hostileNames: options.hostileNames ?? false,
          ...(startTime !== undefined ? { startTime } : {}),
        });
        if (options.fault !== undefined) {
          try {
            sim.faults.set({ mode: options.fault as FaultMode });
          } catch (error) {
            await sim.close();
            throw error instanceof FaultSpecError ? new UsageError(`--fault: ${error.message}`) : error;
          }
        }
        if (options.json) printJson({ url: sim.url, keyedUrl: sim.keyedUrl, adminUrl: sim.adminUrl });
        else process.stdout.write(`gtc sim: serving ${sim.url} (keyed: ${sim.keyedUrl}, admin: ${sim.adminUrl}); Ctrl-C to stop\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
        await sim.close();
      }),
    );
}
