#!/usr/bin/env -S node --max-semi-space-size=4 --max-old-space-size=128
// Runs the bundled CLI when `npm run build` has produced it, otherwise the TypeScript sources through tsx.
// V8's young generation capped at 4 MB semi-spaces (default 16): a long-running daemon's RSS is
// ~30 MB lower for a little more frequent scavenging (chaos quick reports: 171.2 MB before, 142.9 MB after).
// Its old generation capped at 128 MB (default: a share of the machine's RAM, GBs): left uncapped, V8
// lets a week-long daemon's heap grow as headroom (soak peak 210.4 MB RSS); capped, it collects
// sooner (one-day what-if 127.2 MB; exports and copies stream, so they fit too). See BENCHMARKS.md.
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
