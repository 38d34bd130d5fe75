#!/usr/bin/env -S node --max-semi-space-size=4
// Runs the bundled CLI when `npm run build` has produced it, otherwise the TypeScript sources through tsx.
// V8's young generation capped at 4 MB semi-spaces (default 16): a long-running daemon's RSS is
// ~30 MB lower for a little more frequent scavenging (chaos quick reports: 171.2 MB before, 142.9 MB after).
// The daemon's old-generation cap (--max-old-space-size=128) is in `npm start`, not here: `gtc sim` and
// `gtc demo` hold the simulator's market, which needs more (README, Memory).
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
