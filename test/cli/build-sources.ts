import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Compiles src/ with tsconfig.build.json (as `npm run build` does) into `.bench-tmp/NAME/dist`,
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
