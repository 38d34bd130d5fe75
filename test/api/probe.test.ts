/**
 * ApiClient.probe: the runtime's API health probe. One request, no retry, through the shared
 * rate limiter, not refused by an open breaker — and its success closes the breaker, so the
 * collectors it resumes are not refused either. Real HTTP against the simulator on loopback.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ApiRateLimitError, ApiUnavailableError, createApiClient, InvalidResponseError, RateLimiter, type ApiClientOptions } from '../../src/api/index.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { ScaledClock, startSimulator, type FaultSpec, type Simulator } from '../../src/sim/index.ts';

const SPEED = 20;
const sims: Simulator[] = [];
after(async () => {
  await Promise.all(sims.map((s) => s.close()));
});

async function setup(client: Partial<ApiClientOptions> = {}) {
  const clock = new ScaledClock(Date.UTC(2025, 8, 1), SPEED);
  const sim = await startSimulator({ clock, requestsPerMinute: 0, poolsPerNetwork: 10, seed: 'probe-tests' });
  sims.push(sim);
  const api = createApiClient({ baseUrl: sim.url, clock, requestsPerMinute: 600, burst: 1, retryInitialDelayMs: 1000, ...client });
  return { clock, sim, api };
}

const fault = (sim: Simulator, spec: FaultSpec): void => void sim.faults.set(spec);
const requests = (sim: Simulator): number => sim.stats.snapshot().total;

test('a probe is one request of the networks list, page 1, with no retry on 5xx', async () => {
  const { sim, api } = await setup();
  await api.probe();
  assert.equal(requests(sim), 1);
  assert.match(sim.stats.snapshot().recent[0]?.path ?? '', /\/networks\?page=1$/);

  fault(sim, { mode: '5xx' });
  await assert.rejects(api.probe(), (e: unknown) => e instanceof ApiUnavailableError && e.reason === 'server-error');
  assert.equal(requests(sim), 2, 'no retry');
  fault(sim, { mode: '429' });
  await assert.rejects(api.probe(), (e: unknown) => e instanceof ApiRateLimitError);
  assert.equal(requests(sim), 3, 'no retry');
});

test('an open breaker does not refuse the probe, and the probe passing closes it', async () => {
  const { sim, api } = await setup({ maxAttempts: 1, breakerThreshold: 2, breakerHalfOpenAfterMs: 600_000 });
  const address = sim.market.truth.pools()[0]?.address ?? '';
  fault(sim, { mode: '5xx' });
  for (let i = 0; i < 2; i++) await assert.rejects(api.pool('solana', address));
  assert.equal(api.breakerState, 'open');
  await assert.rejects(api.probe(), (e: unknown) => e instanceof ApiUnavailableError && e.reason === 'server-error', 'the probe reached the server');
  assert.equal(api.breakerState, 'open');

  fault(sim, { mode: 'none' });
  const before = requests(sim);
  await api.probe();
  assert.equal(requests(sim), before + 1);
  assert.equal(api.breakerState, 'closed');
  assert.ok(await api.pool('solana', address), 'ordinary calls go through at once');
});

test('a request the open breaker refuses before anything went out is marked as no news about the API; one refused after real failures is not', async () => {
  const { sim, api } = await setup({ maxAttempts: 3, breakerThreshold: 2, breakerHalfOpenAfterMs: 600_000, retryInitialDelayMs: 100 });
  const address = sim.market.truth.pools()[0]?.address ?? '';
  fault(sim, { mode: '5xx' });
  // Two attempts answered 5xx open the breaker; the third is refused by it, after real failures.
  await assert.rejects(api.pool('solana', address), (e: unknown) => e instanceof ApiUnavailableError && e.reason === 'breaker-open' && !e.refusedLocally);
  await assert.rejects(api.pool('solana', address), (e: unknown) => e instanceof ApiUnavailableError && e.reason === 'breaker-open' && e.refusedLocally);
});

test('news that the API answers elsewhere (another process) closes an open breaker without a request', async () => {
  const { sim, api } = await setup({ maxAttempts: 1, breakerThreshold: 2, breakerHalfOpenAfterMs: 600_000 });
  const address = sim.market.truth.pools()[0]?.address ?? '';
  fault(sim, { mode: '5xx' });
  for (let i = 0; i < 2; i++) await assert.rejects(api.pool('solana', address));
  assert.equal(api.breakerState, 'open');
  fault(sim, { mode: 'none' });
  const before = requests(sim);
  api.noteApiUp();
  assert.equal(api.breakerState, 'closed');
  assert.equal(requests(sim), before, 'no request spent');
  assert.ok(await api.pool('solana', address), 'the resumed calls go through at once');
});

test('probes take their call from the shared rate limiter like any request', async () => {
  const { sim, clock, api } = await setup({ dailyLimit: 100 });
  const sharing = createApiClient({ baseUrl: sim.url, clock, limiter: api.limiter });
  for (let i = 0; i < 3; i++) await api.probe();
  await sharing.probe();
  assert.equal(api.limiter.state().remainingDaily, 96, 'four probes by two clients sharing one limiter: four calls taken');
});

test('the limiter has budget to spare for probe calls unless Retry-After holds calls back: queued callers and a lowered rate do not hold a probe back', async () => {
  const clock = new ManualClock(Date.UTC(2025, 8, 1));
  const limiter = new RateLimiter({ clock, requestsPerMinute: 30, marginMs: 0 });
  assert.equal(limiter.hasSpareBudget(), true);
  const calls = [limiter.acquire(), limiter.acquire()];
  await clock.advance(0);
  assert.equal(limiter.hasSpareBudget(), true, 'a caller waits for a token: the probe answer is what it waits on');
  await clock.advance(2_000);
  await Promise.all(calls);
  limiter.onRateLimited();
  assert.equal(limiter.hasSpareBudget(), true, 'the rate is lowered after a 429: a probe call still takes its token at that rate');
  limiter.onRateLimited(120_000);
  assert.equal(limiter.hasSpareBudget(), false, 'held back by Retry-After');
  await clock.advance(120_000);
  assert.equal(limiter.hasSpareBudget(), true);
});

test('no budget to spare for probe calls while the day\'s budget is used faster than an even spread plus an hour\'s share', async () => {
  const clock = new ManualClock(Date.UTC(2025, 8, 1));
  const limiter = new RateLimiter({ clock, requestsPerMinute: 6000, burst: 100, dailyLimit: 240, marginMs: 0 });
  // An hour's share of 240 calls a day is 10.
  for (let i = 0; i < 9; i++) await limiter.acquire();
  assert.equal(limiter.hasSpareBudget(), true, '9 calls in the first minute: within an hour\'s share');
  await limiter.acquire();
  assert.equal(limiter.hasSpareBudget(), false, '10 calls: an hour\'s share ahead');
  await clock.advance(3_600_000);
  assert.equal(limiter.hasSpareBudget(), true, 'an hour later the even spread has caught up');
});

test('a request hung through an outage is cut short by the first answer after it, and retried at once', async () => {
  // A request timeout far beyond the test: only being overtaken can end the hung request.
  const { sim, api } = await setup({ maxAttempts: 2, timeoutMs: 3_600_000 });
  const address = sim.market.truth.pools()[0]?.address ?? '';
  fault(sim, { mode: '5xx' });
  await assert.rejects(api.pool('solana', address), (e: unknown) => e instanceof ApiUnavailableError && e.reason === 'server-error');
  fault(sim, { mode: 'hang' });
  const hung = api.pool('solana', address);
  while (!sim.stats.snapshot().recent.some((r) => r.fault === 'hang')) await new Promise((resolve) => setTimeout(resolve, 5));
  fault(sim, { mode: 'none' });
  await api.probe();
  const page = await hung;
  assert.equal(page?.pools.length, 1, 'the hung request was asked again and answered');
  const recent = sim.stats.snapshot().recent;
  assert.equal(recent.filter((r) => r.path.includes(address) && r.status === 200).length, 1);
  assert.equal(api.breakerState, 'closed');
});

test('news that the API answered elsewhere cuts short a request hung since before it, and ends a retry wait', { timeout: 20_000 }, async () => {
  // Timeouts and retry waits far beyond the test: only the news can end them.
  const { sim, api, clock } = await setup({ maxAttempts: 3, timeoutMs: 3_600_000, retryInitialDelayMs: 3_600_000, retryMaxDelayMs: 3_600_000, maxRetryWaitMs: 36_000_000 });
  const news: string[] = [];
  api.onApiNews((n) => news.push(n.up ? 'up' : `down: ${n.error instanceof ApiUnavailableError ? n.error.reason : '429'}`));
  const [first, second] = sim.market.truth.pools();
  fault(sim, { mode: '5xx' });
  // Answered 5xx, then waiting (up to an hour) to retry.
  const waiting = api.pool('solana', first?.address ?? '');
  while (requests(sim) < 1) await new Promise((resolve) => setTimeout(resolve, 5));
  fault(sim, { mode: 'hang' });
  const hung = api.pool('solana', second?.address ?? '');
  while (!sim.stats.snapshot().recent.some((r) => r.fault === 'hang')) await new Promise((resolve) => setTimeout(resolve, 5));
  fault(sim, { mode: 'none' });
  const before = requests(sim);
  // Another process saw the API answer just now: nothing here has been answered yet.
  api.noteApiUp(clock.now());
  const [a, b] = await Promise.all([waiting, hung]);
  assert.equal(a?.pools.length, 1, 'the waiting retry went at once and was answered');
  assert.equal(b?.pools.length, 1, 'the hung request was asked again and answered');
  assert.equal(requests(sim), before + 2, 'one request each, no probe of our own');
  assert.deepEqual(news, ['down: server-error'], 'the 5xx was news; answers after the news from elsewhere are not news again');
});

test('a request that finds the API down is news at once (its run goes on retrying), and so is the first answer after it', async () => {
  const { sim, api, clock } = await setup({ maxAttempts: 1, timeoutMs: 2_000 });
  const news: { up: boolean; at: number; reason?: string }[] = [];
  api.onApiNews((n) => news.push(n.up ? { up: true, at: n.at } : { up: false, at: n.at, reason: n.error instanceof ApiUnavailableError ? n.error.reason : '429' }));
  const address = sim.market.truth.pools()[0]?.address ?? '';
  await api.pool('solana', address);
  fault(sim, { mode: 'hang' });
  const sent = clock.now();
  await assert.rejects(api.pool('solana', address));
  fault(sim, { mode: 'none' });
  await api.pool('solana', address);
  await api.pool('solana', address);
  assert.deepEqual(news.map((n) => [n.up, n.reason]), [[false, 'timeout'], [true, undefined]], 'nothing before the failure, one answer after it');
  assert.ok(news[0]!.at - sent < 60 * SPEED, 'the failure dates from when its request went out, not from its timeout');
  // A 429 is news too, and so is the first answer with data after it.
  fault(sim, { mode: '429' });
  await assert.rejects(api.pool('solana', address));
  fault(sim, { mode: 'none' });
  await api.pool('solana', address);
  await api.pool('solana', address);
  assert.deepEqual(news.slice(2).map((n) => [n.up, n.reason]), [[false, '429'], [true, undefined]]);
});

test('news that the API answers elsewhere brings a rate lowered by a 429 storm back, as an answer here would; news seen here is not counted twice', async () => {
  const { api } = await setup({ requestsPerMinute: 30 });
  for (let i = 0; i < 6; i++) api.limiter.onRateLimited();
  assert.equal(api.limiter.state().requestsPerMinute, 15, 'deep in a storm: the floor, half the configured rate');
  api.noteApiUp(undefined, true);
  assert.equal(api.limiter.state().requestsPerMinute, 15, 'an answer this process saw was counted when it came: not again');
  api.noteApiUp();
  assert.equal(api.limiter.state().requestsPerMinute, 18, 'news from elsewhere: a tenth of the rate back');
  api.noteApiUp();
  assert.equal(api.limiter.state().requestsPerMinute, 21, 'and each further answer another tenth');
});

test('a 200 whose body is not a JSON document (cut short, an HTML page, empty) is asked again, then a clear bad-data error', async () => {
  const { sim, api } = await setup({ maxAttempts: 3 });
  const address = sim.market.truth.pools()[0]?.address ?? '';
  fault(sim, { mode: 'malformed', variant: 'html' });
  const before = requests(sim);
  await assert.rejects(api.pool('solana', address), (e: unknown) => e instanceof InvalidResponseError && e.failureClass === 'bad-data' && /not valid JSON/.test(e.message));
  assert.equal(requests(sim), before + 3, 'three attempts');
  assert.equal(api.breakerState, 'closed', 'the server answered: no breaker failure');
  fault(sim, { mode: 'none' });
  assert.ok(await api.pool('solana', address));
});
