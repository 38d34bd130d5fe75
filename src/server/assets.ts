import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';

/**
 * Static files of the dashboard, served from this package (no CDN): our script and stylesheet, and
 * lightweight-charts from node_modules. Paths resolve from the package root so they work from
 * src/ (tsx) and from dist/ (built) alike.
 */
const OWN = new URL('../../src/server/assets/', import.meta.url);

function vendorPath(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('lightweight-charts/package.json');
  return fileURLToPath(new URL('dist/lightweight-charts.standalone.production.js', `file://${pkg}`));
}

const FILES: Record<string, { path: () => string; type: string; cache: string }> = {
  'dashboard.js': { path: () => fileURLToPath(new URL('dashboard.js', OWN)), type: 'text/javascript; charset=utf-8', cache: 'no-cache' },
  'dashboard.css': { path: () => fileURLToPath(new URL('dashboard.css', OWN)), type: 'text/css; charset=utf-8', cache: 'no-cache' },
  'lightweight-charts.standalone.production.js': { path: vendorPath, type: 'text/javascript; charset=utf-8', cache: 'public, max-age=86400' },
};

export function mountAssets(app: Hono): void {
  const cache = new Map<string, Buffer>();
  app.get('/assets/:name', async (c) => {
    const name = c.req.param('name');
    const file = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
    if (!file) return c.json({ error: { status: 404, code: 'not_found', message: `No asset named ${JSON.stringify(name)}.` } }, 404);
    let content = cache.get(name);
    if (!content) {
      content = await readFile(file.path());
      cache.set(name, content);
    }
    return c.body(new Uint8Array(content), 200, { 'content-type': file.type, 'cache-control': file.cache });
  });
}
