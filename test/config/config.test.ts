import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig, redactConfig, secretsOf, validateConfig } from '../../src/config/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'gtc-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function yamlFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  it('gives every key a default', () => {
    const config = validateConfig({});
    assert.equal(config.database.url, 'sqlite:./data/gtc.sqlite');
    assert.equal(config.database.synchronous, 'NORMAL');
    assert.equal(config.database.busyTimeout, 5000);
    assert.equal(config.api.requestsPerMinute, 30);
    assert.deepEqual(config.networks, ['solana']);
    assert.equal(config.collectors['top-pools'].interval, 300_000);
    assert.deepEqual(config.collectors.ohlcv.timeframes, ['5m', '1h', '1d']);
    assert.deepEqual(config.recovery.retryBackoff, [2000, 60_000]);
    assert.equal(config.server.host, '127.0.0.1');
    assert.ok(config.api.budgetKey.length > 0);
  });

  it('reads the design.md example file and parses durations', () => {
    const file = yamlFile(
      'full.yaml',
      `database: { url: "sqlite:./data/gtc.sqlite", synchronous: FULL }
api: { baseUrl: "https://api.geckoterminal.com/api/v2", requestsPerMinute: 30, dailyLimit: 10000, timeoutMs: 15000, budgetKey: "box-1" }
networks: [solana, polygon_pos]
collectors:
  dexes:     { interval: 1h }
  top-pools: { interval: 5m, dexes: [pumpswap, raydium], pages: 1 }
  new-pools: { interval: 5m }
  watchlist: { interval: 5m }
  ohlcv:     { interval: 15m, timeframes: [5m, 1h, 1d] }
  trades:    { interval: 10m, minVolumeUsd: 0 }
  discovery: { interval: 1h, minReserveUsd: 10000, minVolume24hUsd: 50000, maxWatched: 200 }
recovery: { failureThreshold: 3, retryBackoff: [2s, 60s], probeInterval: 5s }
server: { host: 127.0.0.1, port: 8080 }
alerts: { webhooks: [] }
`,
    );
    const { config } = loadConfig({ file, env: {} });
    assert.equal(config.database.synchronous, 'FULL');
    assert.deepEqual(config.networks, ['solana', 'polygon_pos']);
    assert.equal(config.collectors.dexes.interval, 3_600_000);
    assert.equal(config.recovery.probeInterval, 5000);
    assert.equal(config.api.budgetKey, 'box-1');
  });

  it('lets environment variables win over the file', () => {
    const file = yamlFile('env.yaml', 'database: { url: "sqlite:/tmp/a.sqlite" }\nserver: { port: 9000 }\n');
    const { config } = loadConfig({
      file,
      env: { GTC_DATABASE_URL: 'postgres://u:pw@127.0.0.1:5432/x', GTC_HTTP_PORT: '9100', GTC_API_KEY: 'secret-key-123', GTC_LOG_LEVEL: 'debug' },
    });
    assert.equal(config.database.url, 'postgres://u:pw@127.0.0.1:5432/x');
    assert.equal(config.server.port, 9100);
    assert.equal(config.api.apiKey, 'secret-key-123');
    assert.equal(config.log.level, 'debug');
  });

  it('finds the file through GTC_CONFIG', () => {
    const file = yamlFile('via-env.yaml', 'networks: [eth]\n');
    assert.deepEqual(loadConfig({ env: { GTC_CONFIG: file } }).config.networks, ['eth']);
  });

  it('names an unknown key with its path', () => {
    const error = configErrorOf(() => validateConfig({ collectors: { ohlcv: { timeframe: ['5m'] } } }));
    assert.match(error.message, /Unknown configuration key collectors\.ohlcv\.timeframe\b/);
    assert.equal(error.exitCode, 2);
  });

  it('names a wrong type and what is allowed', () => {
    assert.match(configErrorOf(() => validateConfig({ api: { requestsPerMinute: 'fast' } })).message, /api\.requestsPerMinute must be a number, got string/);
    assert.match(configErrorOf(() => validateConfig({ database: { synchronous: 'OFF' } })).message, /database\.synchronous must be one of NORMAL, FULL, got "OFF"/);
    assert.match(configErrorOf(() => validateConfig({ collectors: { ohlcv: { timeframes: ['5m', '2m'] } } })).message, /collectors\.ohlcv\.timeframes\[1\] must be one of 1m, 5m/);
    assert.match(configErrorOf(() => validateConfig({ collectors: { trades: { interval: 'soon' } } })).message, /collectors\.trades\.interval .*duration/);
  });

  it('rejects bad URLs with the key path', () => {
    assert.match(configErrorOf(() => validateConfig({ api: { baseUrl: 'not a url' } })).message, /api\.baseUrl .*http:\/\/ or https:\/\/ URL/);
    assert.match(configErrorOf(() => validateConfig({ database: { url: 'mysql://x/y' } })).message, /database\.url .*sqlite:PATH/);
    assert.match(configErrorOf(() => validateConfig({ alerts: { webhooks: [{ url: 'ftp://x' }] } })).message, /alerts\.webhooks\[0\]\.url/);
  });

  it('reports a bad environment value by its variable name', () => {
    assert.match(configErrorOf(() => loadConfig({ env: { GTC_HTTP_PORT: 'eighty' } })).message, /GTC_HTTP_PORT must be a port number/);
    assert.match(configErrorOf(() => loadConfig({ env: { GTC_DATABASE_URL: 'http://x' } })).message, /database\.url/);
  });

  it('reports unreadable and invalid YAML files in one sentence', () => {
    assert.match(configErrorOf(() => loadConfig({ file: join(dir, 'missing.yaml'), env: {} })).message, /Cannot read configuration file .*ENOENT/);
    const bad = yamlFile('bad.yaml', 'database: [unclosed\n');
    assert.match(configErrorOf(() => loadConfig({ file: bad, env: {} })).message, /not valid YAML at line/);
    const list = yamlFile('list.yaml', '- a\n- b\n');
    assert.match(configErrorOf(() => loadConfig({ file: list, env: {} })).message, /must hold a mapping/);
  });

  it('redacts secrets for display and lists them for scrubbing', () => {
    const config = validateConfig({
      database: { url: 'postgres://gtc:hunter2pw@db.internal:5432/gtc' },
      api: { apiKey: 'CG-abcdef123456' },
      server: { token: 'bearer-token-xyz' },
      alerts: { webhooks: [{ url: 'https://hooks.slack.com/services/T000/B000/XXXXSECRET', format: 'slack' }] },
    });
    const shown = JSON.stringify(redactConfig(config));
    for (const secret of ['hunter2pw', 'CG-abcdef123456', 'bearer-token-xyz', 'XXXXSECRET']) assert.ok(!shown.includes(secret), `${secret} leaked`);
    assert.match(shown, /db\.internal/);
    assert.match(shown, /hooks\.slack\.com/);
    const secrets = secretsOf(config);
    assert.ok(secrets.includes('CG-abcdef123456'));
    assert.ok(secrets.includes('hunter2pw'));
  });
});
