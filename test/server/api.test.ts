import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { statusFromDatabase } from '../../src/monitor/health.ts';
import { GtcMetrics } from '../../src/monitor/metrics.ts';
import { createServer, readiness, startHttpServer, storeData } from '../../src/server/index.ts';
import { filledStore, HOSTILE, type FilledStore } from './fill-store.ts';

let filled: FilledStore;
let base: string;
let close: () => Promise<void>;
const config = loadConfig({ env: {} }).config;

before(async () => {
  filled = await filledStore();
  const metrics = new GtcMetrics();
  metrics.runFinished({ collector: 'ohlcv', status: 'ok', durationMs: 1500, rowsWritten: 20, rejected: 1 });
  metrics.apiRequest({ endpoint: 'pools', status: 200 });
  const app = createServer({
    status: () => statusFromDatabase({ config, store: filled.store }),
    readiness: () => readiness(filled.store, () => true),
    data: storeData(filled.store),
    metrics,
  });
  const server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
  base = server.url;
  close = server.close;
});

after(async () => {
  await close();
  await filled.cleanup();
});

async function get(path: string, init?: RequestInit): Promise<{ status: number; body: unknown; headers: Headers; text: string }> {
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (metrics, HTML)
  }
  return { status: response.status, body, headers: response.headers, text };
}

test('/healthz and /readyz', async () => {
  assert.deepEqual((await get('/healthz')).body, { status: 'ok' });
  const ready = await get('/readyz');
  assert.equal(ready.status, 200);
  assert.deepEqual(Object.keys((ready.body as { checks: object }).checks), ['database', 'migrations', 'scheduler']);
});

test('/api/status has the shape of design.md §8, computed from the database', async () => {
  const { status, body } = await get('/api/status');
  assert.equal(status, 200);
  const report = body as Record<string, unknown> & { collectors: Record<string, unknown>[]; database: Record<string, unknown>; api: Record<string, unknown> };
  assert.deepEqual(Object.keys(report).sort(), ['api', 'collectors', 'database', 'gaps', 'generatedAt', 'source']);
  const suspended = report.collectors.find((c) => c.name === 'top-pools:solana');
  assert.equal(suspended?.state, 'suspended');
  assert.equal(suspended?.consecutiveFailures, 3);
  assert.equal(suspended?.intervalSeconds, 450);
  assert.equal(suspended?.configuredIntervalSeconds, 300);
  assert.equal(suspended?.lastRunStatus, 'failed');
  for (const key of ['name', 'state', 'consecutiveFailures', 'lastRunAt', 'lastSuccessAt', 'nextRunAt', 'intervalSeconds']) assert.ok(key in (suspended ?? {}), key);
  assert.equal(report.database.dialect, 'sqlite');
  assert.equal(report.database.ok, true);
  assert.equal(typeof report.database.latencyMs, 'number');
  assert.deepEqual(report.gaps, { open: 1 });
  const collectors = await get('/api/collectors');
  assert.deepEqual((collectors.body as { collectors: unknown[] }).collectors, report.collectors);
});

test('/api/runs filters by collector and limits; bad parameters get a 400 sentence', async () => {
  const runs = (await get('/api/runs?collector=top-pools:solana&limit=2')).body as { runs: { collector: string; durationMs: number }[] };
  assert.equal(runs.runs.length, 2);
  assert.ok(runs.runs.every((r) => r.collector === 'top-pools:solana' && r.durationMs === 1000));
  const bad = await get('/api/runs?limit=abc');
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body, { error: { status: 400, code: 'bad_query', message: 'Query parameter limit must be a whole number from 1 to 1000, got "abc".' } });
  const unknown = await get('/api/runs?colector=x');
  assert.equal(unknown.status, 400);
  assert.match((unknown.body as { error: { message: string } }).error.message, /^Unknown query parameter "colector"; this route accepts collector, limit\.$/);
});

test('/api/pools: the watchlist, search, and exact decimals', async () => {
  const watched = (await get('/api/pools?watchlist=true')).body as { pools: { id: string; baseTokenPriceUsd: string; watched: boolean }[] };
  assert.deepEqual(watched.pools.map((p) => p.id), filled.pools.slice(0, 4).map((p) => p.id));
  assert.equal(watched.pools[0]?.baseTokenPriceUsd, '0.000012345678901234567890');
  const searched = (await get(`/api/pools?watchlist=true&q=${encodeURIComponent('onerror')}`)).body as { pools: { id: string; baseToken: { name: string } }[] };
  assert.deepEqual(searched.pools.map((p) => p.baseToken.name), [HOSTILE[0]]);
  const all = (await get('/api/pools?q=unwatched')).body as { pools: { watched: boolean }[] };
  assert.deepEqual(all.pools.map((p) => p.watched), [false]);
  assert.equal((await get('/api/pools?watchlist=maybe')).status, 400);
});

test('/api/pools/:id and its candles; unknown pool is 404, bad timeframe 400', async () => {
  const id = filled.pools[0]!.id;
  const pool = (await get(`/api/pools/${id}`)).body as { pool: { id: string; baseToken: { symbol: string } } };
  assert.equal(pool.pool.id, id);
  assert.equal(pool.pool.baseToken.symbol, 'SOL');
  const ohlcv = (await get(`/api/pools/${id}/ohlcv?timeframe=1h&limit=50`)).body as { candles: { time: number; open: string }[] };
  assert.equal(ohlcv.candles.length, 50);
  assert.ok(ohlcv.candles.every((c, i, all) => i === 0 || c.time - (all[i - 1] as { time: number }).time === 3600));
  const missing = await get('/api/pools/solana_NOPE');
  assert.equal(missing.status, 404);
  assert.equal((missing.body as { error: { code: string } }).error.code, 'not_found');
  const bad = await get(`/api/pools/${id}/ohlcv?timeframe=2h`);
  assert.equal(bad.status, 400);
  assert.equal((bad.body as { error: { message: string } }).error.message, 'Query parameter timeframe must be one of 1m, 5m, 15m, 1h, 4h, 12h, 1d, got "2h".');
});

test('/api/gaps lists open gaps; unknown routes are JSON 404s', async () => {
  const gaps = (await get('/api/gaps')).body as { gaps: { kind: string; reason: string }[] };
  assert.deepEqual(gaps.gaps.map((g) => g.kind), ['trades']);
  const nowhere = await get('/api/nothing');
  assert.equal(nowhere.status, 404);
  assert.equal(nowhere.headers.get('content-type')?.startsWith('application/json'), true);
});

test('/metrics: every metric of design.md §8, and promtool accepts it', async (t) => {
  const { text, headers } = await get('/metrics');
  assert.match(headers.get('content-type') ?? '', /^text\/plain/);
  for (const name of ['gtc_collector_runs_total', 'gtc_collector_run_duration_seconds', 'gtc_collector_rows_written_total', 'gtc_collector_rejected_items_total', 'gtc_api_requests_total', 'gtc_api_rate_limit_wait_seconds', 'gtc_api_daily_budget_remaining_requests', 'gtc_api_rate_limited_responses_total', 'gtc_db_busy_retries_total', 'gtc_db_lock_wait_seconds', 'gtc_circuit_breaker_state', 'gtc_collector_state', 'gtc_collector_data_age_seconds', 'gtc_data_gaps_open', 'process_cpu_seconds_total']) {
    assert.ok(text.includes(`# TYPE ${name} `), `${name} missing`);
  }
  assert.match(text, /gtc_collector_state\{collector="top-pools:solana",state="suspended"\} 1/);
  assert.match(text, /gtc_data_gaps_open 1/);
  const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (promtool.error) {
    t.skip('promtool is not installed (apt-get install -y prometheus)');
    return;
  }
  assert.equal(promtool.status, 0, `${promtool.stdout}${promtool.stderr}`);
});

test('the dashboard escapes chain-derived names and sends a strict CSP', async () => {
  const page = await get(`/?pool=${encodeURIComponent(filled.pools[1]!.id)}&timeframe=1h`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.equal(page.text.includes('<img src=x'), false);
  assert.equal(page.text.includes('<script>alert(1)'), false);
  assert.ok(page.text.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(page.text.includes('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;'));
  const bad = await get('/?timeframe=%3Cb%3E');
  assert.equal(bad.status, 400);
  assert.ok(bad.text.includes('got &quot;&lt;b&gt;&quot;'));
  const asset = await get('/assets/lightweight-charts.standalone.production.js');
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('content-type') ?? '', /javascript/);
  assert.equal((await get('/assets/..%2Fpackage.json')).status, 404);
});

test('beyond loopback a token is required: refused without, checked on every route but /healthz', async () => {
  const bare = createServer({ status: () => statusFromDatabase({ config, store: filled.store }), readiness: () => readiness(filled.store), data: storeData(filled.store), metrics: new GtcMetrics({ defaultMetrics: false }) });
  await assert.rejects(startHttpServer(bare, { host: '0.0.0.0', port: 0 }), /GTC_HTTP_TOKEN/);
  const token = 's3cret-token-value';
  const app = createServer({ status: () => statusFromDatabase({ config, store: filled.store }), readiness: () => readiness(filled.store), data: storeData(filled.store), metrics: new GtcMetrics({ defaultMetrics: false }), token });
  const server = await startHttpServer(app, { host: '0.0.0.0', port: 0, token });
  const at = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${server.port}${path}`, { redirect: 'manual', ...init });
  try {
    assert.equal((await at('/healthz')).status, 200);
    for (const path of ['/readyz', '/metrics', '/api/status', '/api/runs', '/', '/assets/dashboard.js']) assert.equal((await at(path)).status, 401, path);
    assert.equal((await at('/api/status', { headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await at('/api/status', { headers: { authorization: `Bearer ${token}` } })).status, 200);
    const login = await at(`/?token=${token}&q=x`);
    assert.equal(login.status, 303);
    assert.equal(login.headers.get('location'), '/?q=x');
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    assert.match(login.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);
    assert.equal((await at('/api/status', { headers: { cookie } })).status, 200);
  } finally {
    await server.close();
  }
});
