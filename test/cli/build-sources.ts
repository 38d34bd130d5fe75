import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Compiles src/ module by module with tsconfig.build.json (the tree `npm run build` type-checks;
 * the build itself bundles, see buildBundle) into `.bench-tmp/NAME/dist`,
 * beside a copy of package.json, so the built CLI runs as users run it after a build, without
 * touching the repository's own dist/ (which bin/gtc.js would otherwise prefer). Returns the
 * folder holding the compiled modules. Type errors elsewhere do not stop tsc from emitting.
 */
export function buildSources(name: string): { dist: string; cleanup(): void } {
  const base = join(ROOT, '.bench-tmp', name);
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(base, 'package.json'));
  const dist = join(base, 'dist');
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', dist], { cwd: ROOT, encoding: 'utf8' });
  if (!existsSync(join(dist, 'cli/main.js'))) throw new Error(`tsc did not build the CLI: ${result.stdout}${result.stderr}`);
  return { dist, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/**
 * `npm run build`'s bundle (scripts/build-cli.mjs; the type check left out) laid out as in the
 * package (bin/, dist/, package.json) under `.bench-tmp/NAME`, so bin/gtc.js picks it as it picks
 * the repository's dist/. Returns that bin/gtc.js.
 */
export function buildBundle(name: string): { bin: string; cleanup(): void } {
  const base = join(ROOT, '.bench-tmp', name);
  rmSync(base, { recursive: true, force: true });
  mkdirSync(join(base, 'bin'), { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(base, 'package.json'));
  copyFileSync(join(ROOT, 'bin/gtc.js'), join(base, 'bin/gtc.js'));
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs'), join(base, 'dist')], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`the bundle did not build: ${result.stdout}${result.stderr}`);
  return { bin: join(base, 'bin/gtc.js'), cleanup: () => rmSync(base, { recursive: true, force: true }) };
}
