/**
 * What the client puts on the wire, checked with a small real HTTP server on loopback that
 * records each request: Accept version, User-Agent, the key header, and the key never leaking.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { ApiRequestError, apiClientOptions, createApiClient, PRO_BASE_URL } from '../../src/api/index.ts';
import { configSchema } from '../../src/config/schema.ts';

const KEY = 'CG-secret-key-0123456789';
const seen: http.IncomingHttpHeaders[] = [];
const urls: string[] = [];
const server = http.createServer((req, res) => {
  seen.push(req.headers);
  urls.push(req.url ?? '');
  if (req.url?.includes('/bad')) {
    // An API that echoes the key back in an error body must not get it into our messages.
    res.writeHead(400, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ error: `invalid request for key ${String(req.headers['x-cg-pro-api-key'])}` }));
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ data: [] }));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3/onchain`;
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

test('Accept version, User-Agent with the version, and the key header; include and page in the query', async () => {
  const api = createApiClient({ baseUrl: base, apiKey: KEY, requestsPerMinute: 6000 });
  for await (const page of api.newPools('polygon_pos', { pages: 1 })) assert.equal(page.itemCount, 0);
  const headers = seen.at(-1)!;
  assert.equal(headers.accept, 'application/json;version=20230302');
  assert.match(headers['user-agent'] ?? '', new RegExp(`^gtc/${version.replace(/\./g, '\\.')}( |$)`));
  assert.equal(headers['x-cg-pro-api-key'], KEY);
  assert.equal(urls.at(-1), '/api/v3/onchain/networks/polygon_pos/new_pools?include=base_token%2Cquote_token%2Cdex&page=1');
});

test('OHLCV and trades query parameters', async () => {
  const api = createApiClient({ baseUrl: base, requestsPerMinute: 6000 });
  await api.ohlcv('solana', 'Pool1', '4h', { before: 1_700_000_000, limit: 5000, includeEmptyIntervals: true }).catch(() => undefined);
  assert.equal(urls.at(-1), '/api/v3/onchain/networks/solana/pools/Pool1/ohlcv/hour?aggregate=4&before_timestamp=1700000000&limit=1000&currency=usd&include_empty_intervals=true');
  await api.trades('solana', 'Pool1', { minVolumeUsd: 250 }).catch(() => undefined);
  assert.equal(urls.at(-1), '/api/v3/onchain/networks/solana/pools/Pool1/trades?trade_volume_in_usd_greater_than=250');
  assert.equal(seen.at(-1)!['x-cg-pro-api-key'], undefined, 'no key configured, no key header');
});

test('the API key never appears in an error message', async () => {
  const api = createApiClient({ baseUrl: base, apiKey: KEY, requestsPerMinute: 6000 });
  await assert.rejects(api.pool('eth', 'bad'), (error: unknown) => {
    assert.ok(error instanceof ApiRequestError && error.failureClass === 'bug' && error.status === 400);
    assert.ok(!error.message.includes(KEY), error.message);
    assert.match(error.message, /\[redacted\]/);
    return true;
  });
});

test('a key with the public default host means the keyed CoinGecko host', () => {
  const config = configSchema.parse({ api: { apiKey: KEY } });
  assert.equal(apiClientOptions(config.api).baseUrl, PRO_BASE_URL);
  assert.equal(apiClientOptions(configSchema.parse({}).api).baseUrl, 'https://api.geckoterminal.com/api/v2');
});
