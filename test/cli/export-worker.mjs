/**
 * Runs one export in a process of its own and reports its peak memory, so tests and the export
 * benchmark measure exactly the export:
 *
 *   node [--import tsx] export-worker.mjs MODULE_ROOT DATABASE_URL DATASET FORMAT OUT [POOL]
 *
 * MODULE_ROOT is `src` (TypeScript, run with --import tsx) or a folder built by tsc from src
 * (plain node, as `npm run build` users run gtc).
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [root, url, dataset, format, out, pool] = process.argv.slice(2);
const ext = root.endsWith('src') ? '.ts' : '.js';
const load = (path) => import(pathToFileURL(`${root}/${path}${ext}`).href);
const [{ runExport }, { loadConfig }] = await Promise.all([load('cli/commands/export'), load('config/index')]);
const { config } = loadConfig({ env: { GTC_DATABASE_URL: url } });
const started = performance.now();
const rows = await runExport(config, dataset, { format, out, ...(pool ? { pool } : {}) });
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ rows, seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
