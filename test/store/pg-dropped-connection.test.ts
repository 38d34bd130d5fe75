/** A PostgreSQL connection killed in the middle of a write transaction, or the server gone and back: the write is retried whole. */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { defer } from '../support/cleanup.ts';
import { sql } from 'kysely';
import pg from 'pg';
import { ManualClock } from '../../src/lib/clock.ts';
import { openStore, type RetryEvent } from '../../src/store/index.ts';
import { freshPgDatabase, pgSkip } from '../support/postgres.ts';
import { makePool } from '../support/records.ts';

test('a backend terminated mid-transaction: the write is retried (db-down) and applied exactly once', { ...pgSkip(), timeout: 30_000 }, async (t) => {
  const url = await freshPgDatabase(t);
  if (!url) return;
  const retries: RetryEvent[] = [];
  const store = await openStore({ url, hooks: { onRetry: (e) => retries.push(e) } });
  defer(t, () => store.close());
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  defer(t, () => admin.end());

  let attempts = 0;
  const written = await store.write(async (tx) => {
    attempts++;
    await tx.runs.start({ collector: 'victim', instanceId: 'test', startedAt: attempts });
    if (attempts === 1) {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx.db);
      await admin.query('select pg_terminate_backend($1)', [rows[0]?.pid]);
    }
    return tx.pools.upsert([makePool(1), makePool(2)]);
  });

  assert.equal(attempts, 2);
  assert.equal(written, 2);
  assert.equal(retries.length, 1);
  assert.equal(retries[0]?.failureClass, 'db-down');
  const runs = await store.read.runs.recent();
  assert.deepEqual(runs.map((r) => r.startedAt), [2], 'the killed attempt left nothing behind');
  assert.equal((await store.read.stats.tableCounts()).pools, 2);
});

/** A TCP relay on loopback to the PostgreSQL server: `down()` drops every connection and refuses new ones, `up()` relays again. */
async function relayTo(target: URL): Promise<{ url(dbUrl: string): string; down(): Promise<void>; up(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const up = () => new Promise<void>((resolve) => {
    server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    server.listen(port, '127.0.0.1', () => {
      port = (server?.address() as net.AddressInfo).port;
      resolve();
    });
  });
  const down = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    if (server) server.close(() => resolve());
    else resolve();
    server = undefined;
  });
  await up();
  return {
    url: (dbUrl) => {
      const u = new URL(dbUrl);
      u.host = `127.0.0.1:${port}`;
      return u.toString();
    },
    down, up, close: down,
  };
}

test('PostgreSQL back after an outage: a passing probe closes the write breaker and the write waiting to retry commits at once', { ...pgSkip(), timeout: 30_000 }, async (t) => {
  const url = await freshPgDatabase(t);
  if (!url) return;
  const relay = await relayTo(new URL(url));
  defer(t, () => relay.close());
  // The write policy on a manual clock: its backoff (10 s a retry) never ends unless the clock moves.
  const clock = new ManualClock(0);
  const store = await openStore({ url: relay.url(url), clock, breakerThreshold: 2, retryBaseDelayMs: 10_000, retryMaxDelayMs: 10_000, maxRetryWaitMs: 120_000 });
  defer(t, () => store.close());
  await store.write((tx) => tx.pools.upsert([makePool(1)]));

  await relay.down();
  const failedBefore = (await store.probe()).ok;
  assert.equal(failedBefore, false, 'the probe sees the database down');
  let attempts = 0;
  const write = store.write((tx) => {
    attempts++;
    return tx.pools.upsert([makePool(2)]);
  });
  write.catch(() => undefined);
  // Two refused attempts (the clock moved to the second): the breaker is open, the write waits in its backoff.
  while (store.breakerOpenOn === null) {
    await clock.tick();
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(store.breakerOpenOn, 'db-down');
  const waitingSince = clock.now();

  await relay.up();
  assert.equal((await store.probe()).ok, true);
  assert.equal(store.breakerState, 'closed');
  assert.equal(await write, 1);
  assert.equal(clock.now(), waitingSince, 'committed without waiting out its backoff');
  assert.equal((await store.read.stats.tableCounts()).pools, 2);
  assert.ok(attempts >= 1);
});
