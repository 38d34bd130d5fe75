/**
 * Against a running daemon (`gtc start` in a child process) collecting from the simulator: the
 * dashboard in headless Chromium, and alerts to a local webhook receiver.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { spawnSync, type ChildProcess } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { stringify } from 'yaml';
import { startSimulator, type Simulator } from '../../src/sim/index.ts';
import { openStore } from '../../src/store/index.ts';
import { runGtc, spawnGtc } from '../support/gtc-cli.ts';
import { tempDir } from '../support/temp-dir.ts';
import { browserSkipReason, chartDrawn, launch, openPage } from './browser.ts';

interface Hook {
  path: string;
  body: Record<string, unknown>;
}

let sim: Simulator;
let daemon: ChildProcess;
let url: string;
let stderr = '';
const hooks: Hook[] = [];
let receiver: Server;
let hostilePools: string[] = [];
let busyPool = '';
let configFile = '';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; daemon stderr:\n${stderr.slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

interface Status {
  collectors: { name: string; state: string }[];
}
const status = async (): Promise<Status> => (await fetch(`${url}/api/status`)).json() as Promise<Status>;
const states = async (): Promise<Record<string, string>> => Object.fromEntries((await status()).collectors.map((c) => [c.name, c.state]));
const setFault = (fault: Record<string, unknown>) => fetch(`${sim.adminUrl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) });

before(async () => {
  const dir = tempDir();
  sim = await startSimulator({ seed: 'dashboard-test', requestsPerMinute: 0, poolsPerNetwork: 30, hostileNames: true });
  receiver = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      hooks.push({ path: req.url ?? '', body: JSON.parse(text) as Record<string, unknown> });
      res.writeHead(204).end();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const database = `sqlite:${join(dir, 'gtc.sqlite')}`;
  const pools = sim.market.truth.pools();
  const tokens = new Map(sim.market.truth.tokens().map((t) => [t.id, t]));
  hostilePools = pools.filter((p) => /[<>"=]/.test(tokens.get(p.baseTokenId)?.name ?? '')).map((p) => p.id);
  busyPool = [...pools].sort((a, b) => b.tradesPerDay - a.tradesPerDay)[0]?.id as string;
  const store = await openStore({ url: database, checkpointEveryMs: 0 });
  const now = Math.floor(Date.now() / 1000);
  await store.write((tx) => tx.watchlist.upsert([busyPool, ...hostilePools].map((poolId) => ({ poolId, active: true, source: 'manual' as const, score: null, addedAt: now, updatedAt: now, symbol: null, name: null, note: null, belowSince: null }))));
  await store.close();

  const config = {
    database: { url: database },
    api: { baseUrl: sim.url, requestsPerMinute: 6000, burst: 20, maxAttempts: 1, breakerThreshold: 1000, budgetKey: 'dashboard-test' },
    networks: ['solana'],
    collectors: {
      dexes: { interval: '2s' },
      'top-pools': { interval: '60s', dexes: ['raydium'], pages: 1 },
      'new-pools': { interval: '60s' },
      watchlist: { interval: '2s' },
      ohlcv: { interval: '5s', timeframes: ['1h'], backfillDays: 2 },
      trades: { interval: '60s' },
      discovery: { enabled: false },
    },
    recovery: { failureThreshold: 2, retryBackoff: ['200ms', '1s'], probeInterval: '500ms', apiProbeInterval: '1s' },
    server: { host: '127.0.0.1', port: 0 },
    alerts: { webhooks: [{ url: `${hookBase}/slack/T0SECRET/B0SECRET`, format: 'slack' }, { url: `${hookBase}/json`, format: 'json' }] },
    log: { level: 'warn' },
  };
  configFile = join(dir, 'gtc.config.yaml');
  writeFileSync(configFile, stringify(config));
  daemon = spawnGtc(['start'], { cwd: dir, env: { GTC_CONFIG: configFile } });
  daemon.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  url = await waitFor('the dashboard URL', () => /dashboard at (http:\/\/127\.0\.0\.1:\d+)\//.exec(stderr)?.[1]);
});

after(async () => {
  daemon?.kill('SIGTERM');
  if (daemon && daemon.exitCode === null) await once(daemon, 'exit');
  receiver?.close();
  await sim?.close();
});

const skip = browserSkipReason();
if (skip) console.log(`# skipping the browser part: ${skip}`);

test('dashboard on a live daemon: states, live suspension within 2 s, candles, hostile names as text; one alert and one resolve per suspension', async () => {
  await waitFor('every collector healthy', async () => {
    const s = await states();
    return Object.keys(s).length > 0 && Object.values(s).every((state) => state === 'healthy');
  });
  const browser: Browser | undefined = skip ? undefined : await launch();
  try {
    let page;
    let problems: string[] = [];
    if (browser) {
      // the watchlist and chart are server-rendered: reload until the daemon has collected them
      await waitFor('hostile pools and candles collected', async () => {
        const [pools, candles] = await Promise.all([
          fetch(`${url}/api/pools?watchlist=true`).then((r) => r.json() as Promise<{ pools: { baseToken: { name: string } | null }[] }>),
          fetch(`${url}/api/pools/${encodeURIComponent(busyPool)}/ohlcv?timeframe=1h`).then((r) => r.json() as Promise<{ candles?: unknown[] }>),
        ]);
        return pools.pools.filter((p) => p.baseToken && /[<>"=]/.test(p.baseToken.name)).length === hostilePools.length && (candles.candles?.length ?? 0) > 10;
      });
      ({ page, problems } = await openPage(browser, `${url}/?pool=${encodeURIComponent(busyPool)}&timeframe=1h`));
      assert.ok(await chartDrawn(page), 'the candle chart drew');
      // the watchlist shows pool names and token symbols, which the simulator made hostile
      const body = (await page.locator('body').textContent()) ?? '';
      for (const symbol of ['<b>IMG</b>', '"><svg/onload=alert(1)>', '=CMD()']) assert.ok(body.includes(symbol), `${symbol} shown as text`);
      for (const tag of ['img', 'b', 'svg', 'main script']) assert.equal(await page.locator(tag).count(), 0, `no <${tag}> element came from a name`);
      assert.equal(await page.locator('#collectors [data-field="state"]', { hasText: 'healthy' }).count(), Object.keys(await states()).length);
    }

    // an API outage suspends the API collectors; the page shows it within 2 s of the daemon
    await setFault({ mode: '5xx', status: 503 });
    const suspended = await waitFor('a suspended collector', async () => Object.entries(await states()).find(([, state]) => state === 'suspended')?.[0], 30_000, 20);
    const seenAt = Date.now();
    if (page) {
      await page.waitForFunction((name) => document.querySelector(`#collectors tr[data-collector="${CSS.escape(name)}"] [data-field="state"]`)?.textContent === 'suspended', suspended, { timeout: 2_000, polling: 50 });
      assert.ok(Date.now() - seenAt <= 2_000);
    }
    // let the outage last a few more seconds: probes resume and re-suspend collectors meanwhile
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await setFault({ mode: 'none' });
    await waitFor('recovery', async () => Object.values(await states()).every((state) => state === 'healthy'));
    // deliveries are in the background: give them a moment, then check nothing more arrives
    const suspendedNow = [...new Set(hooks.filter((h) => h.path === '/json' && h.body.rule === 'collector-suspended').map((h) => String(h.body.subject)))];
    assert.ok(suspendedNow.includes(suspended), `${suspended} was alerted`);
    console.log(`# suspended and alerted: ${suspendedNow.join(', ')}`);
    await waitFor('resolve webhooks', () => suspendedNow.every((name) => hooks.some((h) => h.path === '/json' && h.body.rule === 'collector-suspended' && h.body.subject === name && h.body.status === 'resolved')), 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const json = hooks.filter((h) => h.path === '/json' && h.body.rule === 'collector-suspended');
    for (const name of suspendedNow) {
      const mine = json.filter((h) => h.body.subject === name).map((h) => h.body.status);
      assert.deepEqual(mine, ['firing', 'resolved'], `alerts for ${name}: ${JSON.stringify(mine)}`);
    }
    const slack = hooks.filter((h) => h.path.startsWith('/slack/') && String(h.body.text).includes('collector-suspended'));
    assert.equal(slack.length, json.length, 'the Slack hook got the same alerts, as {text}');
    assert.ok(slack.every((h) => Object.keys(h.body).join() === 'text'));
    assert.equal(stderr.includes('T0SECRET'), false, 'the webhook URL is never logged unredacted');
    assert.deepEqual(problems, []);

    // the live daemon's metrics, with every family populated, pass promtool
    const metrics = await (await fetch(`${url}/metrics`)).text();
    for (const sample of ['gtc_collector_runs_total{collector="watchlist",status="ok"}', 'gtc_api_requests_total{endpoint=', 'gtc_api_rate_limit_wait_seconds_count', 'gtc_db_lock_wait_seconds_count', 'gtc_collector_state{collector="dexes:solana",state="healthy"} 1', 'gtc_circuit_breaker_state{breaker="db",state="closed"} 1', 'gtc_api_daily_budget_remaining_requests']) {
      assert.ok(metrics.includes(sample), `${sample} in /metrics`);
    }
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
    if (promtool.error) console.log('# promtool is not installed (apt-get install -y prometheus): not checked');
    else assert.equal(promtool.status, 0, `${promtool.stdout}${promtool.stderr}`);
  } finally {
    await browser?.close();
  }
});

/** The keys at every level (values, and whether one side knows them, may differ). */
function keys(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [keys(value[0])] : [];
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, keys((value as Record<string, unknown>)[k])]));
  return '.';
}

test('gtc status --json from another process has the shape of the live /api/status, and the same collectors', async () => {
  const live = (await (await fetch(`${url}/api/status`)).json()) as { collectors: { name: string }[]; source: string };
  const dir = tempDir();
  const cli = runGtc(['status', '--json'], { cwd: dir, env: { GTC_CONFIG: configFile } });
  assert.equal(cli.status, 0, cli.stderr);
  const fromDatabase = JSON.parse(cli.stdout) as typeof live;
  assert.deepEqual(keys(fromDatabase), keys(live));
  assert.deepEqual(fromDatabase.collectors.map((c) => c.name).sort(), live.collectors.map((c) => c.name).sort());
  assert.deepEqual([live.source, fromDatabase.source], ['daemon', 'database']);
});
