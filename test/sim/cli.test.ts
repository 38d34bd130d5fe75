import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { Command } from 'commander';
import { simCommand } from '../../src/cli/commands/sim.ts';

const SCRIPT = new URL('./support/run-sim-command.ts', import.meta.url).pathname;

test('gtc sim prints its URLs, serves the API, and stops cleanly on SIGTERM', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, '--port', '0', '--json', '--seed', 'cli', '--pools', '5', '--speed', '60', '--fault', '429'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit') as Promise<[number | null]>;
  try {
    await checkServing(child.stdout);
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = await exited;
  assert.equal(code, 0);
});

async function checkServing(stdout: NodeJS.ReadableStream): Promise<void> {
  let output = '';
  stdout.setEncoding('utf8');
  while (!output.includes('}')) {
    const [chunk] = (await once(stdout, 'data')) as [string];
    output += chunk;
  }
  const urls = JSON.parse(output) as { url: string; keyedUrl: string; adminUrl: string };
  assert.match(urls.url, /^http:\/\/127\.0\.0\.1:\d+\/api\/v2$/);
  assert.equal((await fetch(`${urls.url}/networks`)).status, 429, 'started with --fault 429');
  await fetch(`${urls.adminUrl}/faults`, { method: 'POST', body: '{"mode":"none"}' });
  const pools = (await (await fetch(`${urls.url}/networks/solana/pools`)).json()) as { data: unknown[] };
  assert.ok(pools.data.length >= 5, 'five pools at the start, more appear as time runs');
  const clock = (await (await fetch(`${urls.adminUrl}/clock`)).json()) as { speed: number };
  assert.equal(clock.speed, 60);
}

test('gtc sim refuses bad options with a clear sentence', async () => {
  const program = new Command('gtc').exitOverride().addCommand(simCommand());
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => stderr.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    await program.parseAsync(['node', 'gtc', 'sim', '--networks', 'solana,atlantis']);
  } finally {
    process.stderr.write = write;
  }
  assert.equal(process.exitCode, 2);
  process.exitCode = 0;
  assert.match(stderr.join(''), /--networks: unknown atlantis/);
});
