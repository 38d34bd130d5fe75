import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { loadConfig } from '../../src/config/index.ts';
import { statusFromDatabase } from '../../src/monitor/health.ts';
import { GtcMetrics } from '../../src/monitor/metrics.ts';
import { createServer, readiness, startHttpServer, storeData, type RunningHttpServer } from '../../src/server/index.ts';
import { browserSkipReason, chartDrawn, launch, openPage } from './browser.ts';
import { filledStore, HOSTILE, NOW_S, type FilledStore } from './fill-store.ts';

const skip = browserSkipReason();
if (skip) console.log(`# skipping dashboard browser tests: ${skip}`);

let filled: FilledStore;
let server: RunningHttpServer;
let browser: Browser;

before(async () => {
  if (skip) return;
  filled = await filledStore();
  const config = loadConfig({ env: {} }).config;
  const app = createServer({
    status: () => statusFromDatabase({ config, store: filled.store }),
    readiness: () => readiness(filled.store),
    data: storeData(filled.store),
    metrics: new GtcMetrics(),
    refreshMs: 500,
  });
  server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
  browser = await launch();
});

after(async () => {
  if (skip) return;
  await browser.close();
  await server.close();
  await filled.cleanup();
});

test('the dashboard (store-backed server): states, live suspension, chart, hostile names as text', { skip }, async () => {
  const hostilePool = filled.pools[1]!.id;
  const { page, problems } = await openPage(browser, `${server.url}/?pool=${encodeURIComponent(hostilePool)}&timeframe=1h`);
  const state = (name: string) => page.locator(`#collectors tr[data-collector="${name}"] [data-field="state"]`).textContent();
  assert.equal(await state('ohlcv'), 'healthy');
  assert.equal(await state('top-pools:solana'), 'suspended');

  // a collector suspended now shows as suspended within 2 s (the page polls /api/status)
  await filled.store.write((tx) => tx.collectorState.upsert([{ collector: 'ohlcv', state: 'suspended', consecutiveFailures: 3, intervalS: 900, configuredIntervalS: 900, nextRunAt: NOW_S + 5, lastRunAt: NOW_S, lastSuccessAt: NOW_S - 300, lastError: 'database is down', disabled: false, updatedAt: NOW_S }]));
  const changedAt = Date.now();
  await page.waitForFunction(() => document.querySelector('#collectors tr[data-collector="ohlcv"] [data-field="state"]')?.textContent === 'suspended', undefined, { timeout: 2_000, polling: 50 });
  assert.ok(Date.now() - changedAt <= 2_000);
  assert.equal(await page.locator('#collectors tr[data-collector="ohlcv"] [data-field="state"]').getAttribute('class'), 'state state-suspended');

  assert.ok(await chartDrawn(page), 'the candle chart drew');
  assert.equal(await page.locator('#candles').getAttribute('data-candles'), '200');

  // hostile token names are text: visible verbatim, no element or script came from them
  const text = (await page.locator('body').textContent()) ?? '';
  for (const name of HOSTILE.slice(0, 2)) assert.ok(text.includes(name), `${name} is shown as text`);
  assert.equal(await page.locator('img').count(), 0);
  assert.equal(await page.evaluate(() => document.querySelectorAll('script:not([src])').length), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the tables work without JavaScript (search form included)', { skip }, async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.fill('input[name="q"]', 'script');
  await Promise.all([page.waitForURL(/q=script/), page.click('#watchlist button[type="submit"]')]);
  const rows = await page.locator('#watchlist tbody tr').allTextContents();
  assert.equal(rows.length, 1);
  assert.ok(rows[0]?.includes(HOSTILE[1]));
  assert.ok((await page.locator('#collectors tbody tr').count()) >= 2);
  await context.close();
});
