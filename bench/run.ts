/**
 * `npm run bench -- NAME [args]`: runs bench/NAME.ts's `run(args)`. Add a benchmark by adding
 * one line to BENCHMARKS below.
 */
const BENCHMARKS: Record<string, string> = {
  storage: './storage.ts',
  contention: './contention.ts',
  recovery: './recovery.ts',
  coverage: './coverage.ts',
  ingest: './ingest.ts',
  parse: './parse.ts',
  limiter: './limiter.ts',
  cli: './cli.ts',
  export: './export.ts',
};

interface BenchModule {
  run(args: string[]): Promise<void>;
}

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const path = name ? BENCHMARKS[name] : undefined;
  if (!name || !path) {
    process.stderr.write(`usage: npm run bench -- NAME [args]; NAME is one of: ${Object.keys(BENCHMARKS).sort().join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  const module = (await import(path)) as BenchModule;
  await module.run(args);
}

await main();
