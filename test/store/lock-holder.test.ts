/**
 * Another process holds the write lock (BEGIN EXCLUSIVE) longer than the busy timeout: writers
 * wait and retry, the breaker opens while it lasts and closes after release, and every write is
 * applied exactly once.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { defer } from '../support/cleanup.ts';
import { openStore, type BreakerState, type RetryEvent } from '../../src/store/index.ts';
import { spawnTs } from '../support/child.ts';
import { makeTrade } from '../support/records.ts';
import { tempDir } from '../support/temp-dir.ts';

const HOLDER = fileURLToPath(new URL('./workers/hold-lock.ts', import.meta.url));
const WRITES = 6;
const TRADES_PER_WRITE = 50;

test('a process holding BEGIN EXCLUSIVE for 1.5 s: writers retry, breaker opens and closes, no write lost or doubled', { timeout: 30_000 }, async (t) => {
  const file = join(tempDir(t), 'gtc.sqlite');
  const retries: RetryEvent[] = [];
  const states: BreakerState[] = [];
  const store = await openStore({
    url: `sqlite:${file}`,
    busyTimeoutMs: 200,
    maxRetryWaitMs: 15_000,
    retryBaseDelayMs: 20,
    retryMaxDelayMs: 200,
    breakerThreshold: 3,
    breakerHalfOpenAfterMs: 300,
    hooks: { onRetry: (e) => retries.push(e), onBreakerStateChange: (s) => states.push(s) },
  });
  defer(t, () => store.close());

  const holder = spawnTs(HOLDER, [file, '1500']);
  let output = '';
  holder.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  while (!output.includes('locked')) await once(holder.stdout, 'data');
  const exited = once(holder, 'exit');

  // Each write inserts a run row (not idempotent: applied twice would show as two rows) and trades.
  const writes = Array.from({ length: WRITES }, (_, w) => store.write(async (tx) => {
    await tx.runs.start({ collector: `writer${w}`, instanceId: 'test', startedAt: 1_750_000_000 + w });
    return tx.trades.insert(Array.from({ length: TRADES_PER_WRITE }, (_, k) => makeTrade(w * TRADES_PER_WRITE + k)));
  }, { label: `write ${w}` }));
  const results = await Promise.all(writes);
  const [code] = await exited;

  assert.equal(code, 0);
  assert.ok(output.includes('released'));
  assert.deepEqual(results, Array(WRITES).fill(TRADES_PER_WRITE), 'every write inserted all its trades');
  assert.ok(retries.length >= 3, `writers retried (${retries.length} retries)`);
  assert.ok(retries.every((r) => r.failureClass === 'db-locked'), 'busy is classified db-locked');
  assert.ok(states.includes('open'), `breaker opened: ${states.join(' → ')}`);
  assert.equal(states.at(-1), 'closed', `breaker closed after release: ${states.join(' → ')}`);
  assert.equal(store.breakerState, 'closed');

  const runs = await store.read.runs.recent({ limit: 100 });
  assert.equal(runs.length, WRITES, 'each write applied exactly once');
  assert.deepEqual(runs.map((r) => r.collector).sort(), Array.from({ length: WRITES }, (_, w) => `writer${w}`).sort());
  const counts = await store.read.stats.tableCounts();
  assert.equal(counts.trades, WRITES * TRADES_PER_WRITE);
  assert.equal((await store.read.checkpoints.get('holder', 'lock'))?.value, 'held', "the holder's own write committed");
  console.log(`# ${retries.length} retries; breaker ${states.join(' → ')}`);
});

test('when the lock outlasts the retry budget the write fails with db-locked, and nothing is half-written', { timeout: 30_000 }, async (t) => {
  const file = join(tempDir(t), 'gtc.sqlite');
  const store = await openStore({ url: `sqlite:${file}`, busyTimeoutMs: 100, maxRetryWaitMs: 300, retryBaseDelayMs: 10, retryMaxDelayMs: 50, breakerThreshold: 100 });
  defer(t, () => store.close());
  const holder = spawnTs(HOLDER, [file, '2000']);
  let output = '';
  holder.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  while (!output.includes('locked')) await once(holder.stdout, 'data');
  const exited = once(holder, 'exit');

  await assert.rejects(
    store.write((tx) => tx.trades.insert([makeTrade(1)])),
    (error: Error & { failureClass?: string }) => error.failureClass === 'db-locked' && /locked or busy/.test(error.message),
  );
  await exited;
  assert.equal((await store.read.stats.tableCounts()).trades, 0);
  assert.equal(await store.write((tx) => tx.trades.insert([makeTrade(1)])), 1, 'writes succeed once the lock is released');
});
