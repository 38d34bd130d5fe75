/**
 * `npm run build` (after the type check): bundles the CLI with esbuild into dist/cli/main.js, which
 * bin/gtc.js runs when present. One bundled file instead of a tree of modules is most of what
 * makes `gtc status` start quickly: Node otherwise resolves and loads ~300 files (kysely alone ships
 * ~260). Each command's module, imported on use (src/cli/main.ts), becomes a chunk of its own, so a
 * command still loads only what it needs.
 *
 *   node scripts/build-cli.mjs [OUT_DIR]     (default: dist; the bench builds into .bench-tmp)
 *
 * Chunks stay in OUT_DIR/cli, two folders below the package root like the sources in src/*, so
 * `new URL('../../package.json', import.meta.url)` and the dashboard's asset paths still resolve.
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Left to Node at run time: the database drivers (better-sqlite3 is native; pg is loaded only for
 * PostgreSQL URLs) and pino, whose transports start worker threads from files beside its modules.
 * yaml is required on demand by src/config/load.ts.
 */
const EXTERNAL = ['better-sqlite3', 'pg', 'pino'];

/** Builds the bundled CLI into OUT_DIR/cli (emptied first, so no stale chunk survives). */
export async function buildCli(outDir = join(ROOT, 'dist')) {
  rmSync(outDir, { recursive: true, force: true });
  await build({
    entryPoints: [join(ROOT, 'src/cli/main.ts')],
    outdir: join(outDir, 'cli'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // ESM builds where packages have them (cockatiel): smaller, and unused parts are dropped.
    mainFields: ['module', 'main'],
    external: EXTERNAL,
    // CommonJS packages in the bundle (commander, prom-client, …) call require for Node's modules.
    banner: { js: "import { createRequire as __gtcCreateRequire } from 'node:module'; const require = __gtcCreateRequire(import.meta.url);" },
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCli(process.argv[2] ? resolve(process.argv[2]) : undefined);
}
