import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { ManualClock } from '../../src/lib/clock.ts';
import { createLogger } from '../../src/lib/log.ts';
import { AlertEngine, errorRate, WebhookSink, type AlertEvent, type AlertSink } from '../../src/monitor/alerts/index.ts';
import type { StatusReport } from '../../src/monitor/status.ts';
import { collectorStatus, statusReport } from './status-fixture.ts';

function memorySink(): AlertSink & { events: AlertEvent[] } {
  const events: AlertEvent[] = [];
  return { name: 'memory', events, send: (e) => events.push(e) };
}

function engineWith(initial: StatusReport, clock = new ManualClock(), extraSinks: AlertSink[] = []) {
  let status = initial;
  const sink = memorySink();
  const engine = new AlertEngine({ status: () => status, sinks: [sink, ...extraSinks], clock, intervalMs: 15_000 });
  return { engine, sink, clock, set: (s: StatusReport) => (status = s) };
}

const brief = (events: AlertEvent[]) => events.map((e) => `${e.status} ${e.rule} ${e.subject}`);

test('a suspension raises exactly one alert and the recovery exactly one resolve', async () => {
  const { engine, sink, set } = engineWith(statusReport([collectorStatus('ohlcv')]));
  await engine.evaluate();
  assert.equal(sink.events.length, 0);
  set(statusReport([collectorStatus('ohlcv', { state: 'suspended', consecutiveFailures: 3, lastError: 'API answered 503' })]));
  for (let i = 0; i < 5; i++) await engine.evaluate();
  assert.deepEqual(brief(sink.events), ['firing collector-suspended ohlcv']);
  assert.match(sink.events[0]?.summary ?? '', /suspended after 3 consecutive failures: API answered 503/);
  // a passing probe resumes it before it has succeeded, and it fails again: still the same episode
  set(statusReport([collectorStatus('ohlcv', { state: 'healthy', consecutiveFailures: 3 })]));
  await engine.evaluate();
  set(statusReport([collectorStatus('ohlcv', { state: 'suspended', consecutiveFailures: 4 })]));
  await engine.evaluate();
  assert.deepEqual(brief(sink.events), ['firing collector-suspended ohlcv']);
  // the first successful run ends it
  set(statusReport([collectorStatus('ohlcv')]));
  for (let i = 0; i < 5; i++) await engine.evaluate();
  assert.deepEqual(brief(sink.events), ['firing collector-suspended ohlcv', 'resolved collector-suspended ohlcv']);
  assert.deepEqual(engine.firing(), []);
});

test('breakers: one alert per open breaker, resolved when it closes', async () => {
  const base = statusReport([]);
  const { engine, sink, set } = engineWith(base);
  set({ ...base, database: { ...base.database, breaker: 'open' }, api: { ...base.api, breaker: 'open' } });
  await engine.evaluate();
  await engine.evaluate();
  set({ ...base, database: { ...base.database, breaker: 'half-open' } });
  await engine.evaluate();
  assert.deepEqual(brief(sink.events), ['firing breaker-open db', 'firing breaker-open api', 'resolved breaker-open db', 'resolved breaker-open api']);
});

test('data older than three intervals is stale; a success resolves it', async () => {
  const clock = new ManualClock();
  const at = (ms: number) => new Date(ms).toISOString();
  const start = clock.now();
  const { engine, sink, set } = engineWith(statusReport([collectorStatus('watchlist', { lastSuccessAt: at(start), intervalSeconds: 60, configuredIntervalSeconds: 60 })]), clock);
  await clock.advance(179_000);
  await engine.evaluate();
  assert.equal(sink.events.length, 0);
  await clock.advance(2_000);
  await engine.evaluate();
  assert.deepEqual(brief(sink.events), ['firing data-stale watchlist']);
  set(statusReport([collectorStatus('watchlist', { lastSuccessAt: at(clock.now()), intervalSeconds: 60 })]));
  await engine.evaluate();
  assert.deepEqual(brief(sink.events), ['firing data-stale watchlist', 'resolved data-stale watchlist']);
});

test('a collector that never succeeds becomes stale; a disabled one never does', async () => {
  const clock = new ManualClock();
  const { engine, sink } = engineWith(statusReport([collectorStatus('trades', { intervalSeconds: 10, configuredIntervalSeconds: 10 }), collectorStatus('dexes:solana', { state: 'disabled', intervalSeconds: 10, configuredIntervalSeconds: 10 })]), clock);
  await engine.evaluate();
  await clock.advance(31_000);
  await engine.evaluate();
  assert.deepEqual(brief(sink.events), ['firing data-stale trades']);
});

test('write-lock wait p99 above 1 s raises; it resolves when the slow samples leave the window', async () => {
  const { engine, sink, clock } = engineWith(statusReport([]));
  for (let i = 0; i < 98; i++) engine.lockWaited(2);
  engine.lockWaited(1_500);
  engine.lockWaited(2_500);
  await engine.evaluate();
  assert.deepEqual(brief(sink.events), ['firing db-lock-wait-high db']);
  await clock.advance(301_000);
  engine.lockWaited(3);
  await engine.evaluate();
  assert.deepEqual(brief(sink.events), ['firing db-lock-wait-high db', 'resolved db-lock-wait-high db']);
});

test('error rate above 10% over 15 minutes raises once and resolves once', async () => {
  const { engine, sink, clock } = engineWith(statusReport([collectorStatus('top-pools:solana', { intervalSeconds: 30, lastSuccessAt: null })]));
  const runs = ['ok', 'ok', 'failed', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'failed'];
  for (const status of runs) {
    engine.runFinished({ collector: 'top-pools:solana', status });
    await clock.advance(1_000);
  }
  await engine.evaluate();
  assert.ok(brief(sink.events).includes('firing error-rate-high top-pools:solana'));
  for (let i = 0; i < 40; i++) {
    engine.runFinished({ collector: 'top-pools:solana', status: 'ok' });
    await clock.advance(30_000);
    await engine.evaluate();
  }
  const errorRateEvents = brief(sink.events).filter((e) => e.includes('error-rate-high'));
  assert.deepEqual(errorRateEvents, ['firing error-rate-high top-pools:solana', 'resolved error-rate-high top-pools:solana']);
});

test('availability below 99% over an hour counts the time from a failure to the next success', async () => {
  const { engine, sink, clock } = engineWith(statusReport([collectorStatus('ohlcv', { intervalSeconds: 60 })]));
  // 30 minutes of healthy runs, a 60 s outage (1.7% of the window so far), then healthy again
  for (let i = 0; i < 30; i++) {
    engine.runFinished({ collector: 'ohlcv', status: 'ok' });
    await clock.advance(60_000);
  }
  engine.runFinished({ collector: 'ohlcv', status: 'failed' });
  await clock.advance(60_000);
  engine.runFinished({ collector: 'ohlcv', status: 'ok' });
  await engine.evaluate();
  assert.ok(brief(sink.events).includes('firing availability-low ohlcv'), brief(sink.events).join());
  // once the outage has left the hour, availability is 100% again
  for (let i = 0; i < 62; i++) {
    await clock.advance(60_000);
    engine.runFinished({ collector: 'ohlcv', status: 'ok' });
    await engine.evaluate();
  }
  assert.deepEqual(brief(sink.events).filter((e) => e.includes('availability')), ['firing availability-low ohlcv', 'resolved availability-low ohlcv']);
});

test('a slot another process completed ends this process\'s outage, in time order, and is no run of its error rate', async () => {
  const { engine, sink, clock } = engineWith(statusReport([collectorStatus('ohlcv', { intervalSeconds: 60 })]));
  for (let i = 0; i < 30; i++) {
    engine.runFinished({ collector: 'ohlcv', status: 'ok' });
    await clock.advance(60_000);
  }
  // This process's run fails; the other processes sharing the database go on serving the slots,
  // and this one hears of it when it next finds a slot completed (here 40 s after the fact).
  const failedAt = clock.now();
  engine.runFinished({ collector: 'ohlcv', status: 'failed' });
  await clock.advance(50_000);
  engine.slotServedElsewhere({ collector: 'ohlcv', at: failedAt + 10_000 });
  engine.slotServedElsewhere({ collector: 'ohlcv', at: failedAt - 20_000 });
  await clock.advance(10 * 60_000);
  await engine.evaluate();
  assert.deepEqual(brief(sink.events).filter((e) => e.includes('availability')), [], 'a 10 s outage in 41 minutes is 99.6 %, not a 10-minute one');
  assert.deepEqual(engine.runs.recent(clock.now(), 3_600_000, 'ohlcv').slice(-3).map((o) => `${o.at - failedAt} ${o.status}`), ['-20000 served-elsewhere', '0 failed', '10000 served-elsewhere'], 'kept in time order');
  assert.equal(errorRate(engine.runs.recent(clock.now(), 15 * 60_000, 'ohlcv'), 1), 0.2, 'error rate over 15 minutes: 1 failed of this process\'s 5 runs (1 of 7 if the others\' counted)');
});

test('the engine evaluates on its timer with an injected clock', async () => {
  const { engine, sink, clock, set } = engineWith(statusReport([]));
  engine.start();
  await clock.advance(0);
  set(statusReport([collectorStatus('dexes:solana', { state: 'suspended' })]));
  assert.equal(sink.events.length, 0);
  await clock.advance(15_000);
  assert.deepEqual(brief(sink.events), ['firing collector-suspended dexes:solana']);
  await engine.stop();
});

interface Receiver {
  url: string;
  bodies: unknown[];
  server: Server;
}

/** A webhook receiver on loopback that fails the first `failures` requests with 500. */
async function receiver(failures = 0): Promise<Receiver> {
  const bodies: unknown[] = [];
  let seen = 0;
  const server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      seen++;
      if (seen <= failures) {
        res.writeHead(500).end();
        return;
      }
      bodies.push(JSON.parse(text));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, bodies, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T0SECRET/B0SECRET` };
}

function capturedLogger() {
  const lines: string[] = [];
  const destination = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
  return { logger: createLogger({ destination, level: 'debug' }), lines };
}

test('webhooks: Slack and Discord shapes, delivered once each after retries, URL never logged', async () => {
  const slack = await receiver(2);
  const discord = await receiver();
  const { logger, lines } = capturedLogger();
  const slackSink = new WebhookSink({ url: slack.url, format: 'slack', logger, baseDelayMs: 5 });
  const discordSink = new WebhookSink({ url: discord.url, format: 'discord', logger, baseDelayMs: 5 });
  const { engine, set } = engineWith(statusReport([collectorStatus('ohlcv')]), new ManualClock(), [slackSink, discordSink]);
  set(statusReport([collectorStatus('ohlcv', { state: 'suspended', consecutiveFailures: 3 })]));
  await engine.evaluate();
  await engine.evaluate();
  set(statusReport([collectorStatus('ohlcv')]));
  await engine.evaluate();
  await slackSink.drain();
  await discordSink.drain();
  assert.equal(slack.bodies.length, 2);
  assert.match((slack.bodies[0] as { text: string }).text, /^\[gtc\] CRITICAL collector-suspended \(ohlcv\)/);
  assert.match((slack.bodies[1] as { text: string }).text, /^\[gtc\] RESOLVED collector-suspended \(ohlcv\)/);
  assert.deepEqual(discord.bodies.map((b) => Object.keys(b as object)), [['content'], ['content']]);
  assert.equal(slackSink.name.includes('SECRET'), false);
  assert.equal(lines.join('').includes('SECRET'), false);
  slack.server.close();
  discord.server.close();
});

test('a dead or slow receiver never blocks and never grows the queue past its bound', async () => {
  const { logger, lines } = capturedLogger();
  const hanging = createServer(() => undefined);
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/T0SECRET`;
  const sink = new WebhookSink({ url, logger, maxQueue: 5, maxAttempts: 1, timeoutMs: 200 });
  const event: AlertEvent = { status: 'firing', rule: 'r', subject: 's', severity: 'warning', summary: 'x', startsAt: new Date().toISOString(), endsAt: null, value: null };
  // send only enqueues: all 100 return while the receiver has not answered a single one
  for (let i = 0; i < 100; i++) sink.send(event);
  assert.equal(sink.delivered + sink.failed, 94, 'only the overflow was settled (dropped) so far');
  await sink.close();
  // one in flight, five queued: the other 94 were dropped; all six then failed on the hanging receiver
  assert.equal(sink.delivered, 0);
  assert.equal(sink.failed, 100);
  assert.equal(lines.join('').includes('T0SECRET'), false);
  hanging.closeAllConnections();
  hanging.close();
});
