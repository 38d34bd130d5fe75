/**
 * Preload (`node --import ./module-trace.mjs …`): the process writes every module it loads on
 * stderr, one `loaded: URL` line each: ES modules as the loader loads them (a hook, in the loader's
 * thread, writing synchronously), CommonJS modules from require's cache at exit (yaml is required).
 */
import { createRequire, register } from 'node:module';
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const hook = `import { writeSync } from 'node:fs';
export async function load(url, context, next) { writeSync(2, 'loaded: ' + url + '\\n'); return next(url, context); }`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

const require = createRequire(import.meta.url);
process.on('exit', () => {
  for (const file of Object.keys(require.cache)) writeSync(2, `loaded: ${pathToFileURL(file).href}\n`);
});
