/**
 * The client over real HTTP against the simulator on loopback. Both run on one ScaledClock
 * (simulated time at SPEED× real time), so minutes of rate limiting take seconds.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ApiRateLimitError, ApiUnavailableError, createApiClient, InvalidResponseError, type ApiClientOptions } from '../../src/api/index.ts';
import { ScaledClock, startSimulator, type Simulator } from '../../src/sim/index.ts';
import { runInWriteScope } from '../../src/lib/write-scope.ts';
import { GtcError } from '../../src/lib/errors.ts';

const SPEED = 20;
const sims: Simulator[] = [];
after(async () => {
  await Promise.all(sims.map((s) => s.close()));
});

/** `requestsPerMinute` is both the simulator's limit and the client's rate; 0 = no limit at the simulator, 6000/min for the client. */
async function setup(requestsPerMinute: number, client: Partial<ApiClientOptions> = {}) {
  const clock = new ScaledClock(Date.UTC(2025, 8, 1), SPEED);
  const sim = await startSimulator({ clock, requestsPerMinute, poolsPerNetwork: 40, networks: ['solana', 'polygon_pos'], seed: 'api-tests' });
  sims.push(sim);
  const api = createApiClient({ baseUrl: sim.url, clock, requestsPerMinute: requestsPerMinute || 6000, burst: requestsPerMinute ? 1 : 10, retryInitialDelayMs: 1000, ...client });
  return { clock, sim, api };
}

async function fault(sim: Simulator, spec: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${sim.adminUrl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
  assert.equal(res.status, 200, await res.text());
}

/**
 * Most requests the server saw in any sliding 60 s of simulated time. The simulator timestamps a
 * request when it answers (its limiter counts arrivals), so answer-time jitter of up to `slackMs`
 * is allowed for.
 */
function maxPerMinute(sim: Simulator, slackMs = 500): number {
  const times = sim.stats.snapshot().recent.map((r) => r.at).sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[j]! <= times[i]! - 60_000 + slackMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

test('every endpoint against the simulator: typed records, no rejections, 404 is null', async () => {
  const { sim, api } = await setup(0);
  const networks = [];
  for await (const page of api.networks()) networks.push(...page.networks);
  assert.ok(networks.some((n) => n.id === 'polygon_pos'));
  for await (const page of api.dexes('solana')) assert.ok(page.dexes.every((d) => d.id === `solana_${d.dexId}`));

  const top = [];
  for await (const page of api.topPools('polygon_pos', { pages: 3 })) {
    assert.deepEqual(page.rejected, []);
    top.push(page);
  }
  // ~40 pools (new ones keep appearing): full pages, then a short one ends the paging.
  assert.deepEqual(top.map((p) => p.page), [1, 2, 3]);
  assert.deepEqual(top.slice(0, 2).map((p) => p.itemCount), [20, 20]);
  assert.ok(top[2]!.itemCount < 20);
  const pools = top.flatMap((p) => p.pools);
  assert.ok(pools.every((p) => p.network === 'polygon_pos' && p.id === `polygon_pos_${p.address}`));
  const tokenIds = new Set(top.flatMap((p) => p.tokens.map((t) => t.id)));
  assert.ok(pools.every((p) => tokenIds.has(p.baseTokenId!) && tokenIds.has(p.quoteTokenId!)), 'include resolves every token');

  const first = pools[0]!;
  const one = await api.pool('polygon_pos', first.address);
  assert.equal(one?.pools[0]?.id, first.id);
  assert.equal(await api.pool('polygon_pos', '0xdoesnotexist'), null);

  const multi = [];
  for await (const page of api.poolsMulti('polygon_pos', [...pools.map((p) => p.address), '0xunknown'])) multi.push(page);
  assert.equal(multi.length, 2, '41 addresses → calls of 30 and 11');
  assert.deepEqual(multi.flatMap((m) => m.missing), ['0xunknown']);

  const history = [];
  const now = Math.floor(sim.clock.now() / 1000);
  for await (const page of api.ohlcvHistory('polygon_pos', first.address, '1h', { from: now - 3 * 86_400, limit: 30 })) history.push(page);
  assert.ok(history.length >= 2, 'paged backwards with before_timestamp');
  const candles = history.flatMap((p) => p.candles);
  assert.ok(candles.every((c) => c.ts >= now - 3 * 86_400 && c.ts % 3600 === 0));
  assert.equal(new Set(candles.map((c) => c.ts)).size, candles.length);

  const trades = await api.trades('polygon_pos', first.address, { minVolumeUsd: 0 });
  assert.ok(trades && trades.rejected.length === 0 && trades.trades.every((t) => t.poolId === first.id));
  const token = await api.token('polygon_pos', first.baseTokenId!.slice('polygon_pos_'.length));
  assert.equal(token?.token?.id, first.baseTokenId);
  for await (const page of api.newPoolsAllNetworks({ pages: 1 })) assert.ok(page.pools.some((p) => p.network === 'polygon_pos'));
});

test('429 storm: the simulator never sees more calls per minute than the configured rate, and the calls succeed after it', async () => {
  const rateLimited: number[] = [];
  const { sim, api } = await setup(30, { maxAttempts: 20, maxRetryWaitMs: 20 * 60_000, hooks: { onRateLimited: (e) => rateLimited.push(e.requestsPerMinute) } });
  await fault(sim, { mode: '429', durationMs: 30_000 });
  const callers = Array.from({ length: 4 }, (_, i) => (async () => {
    for (let n = 0; n < 3; n++) await api.pool('solana', sim.market.truth.pools()[i * 3 + n]!.address);
  })());
  await Promise.all(callers);
  const stats = sim.stats.snapshot();
  assert.ok((stats.byStatus['429'] ?? 0) > 0, 'the storm was felt');
  assert.ok(rateLimited.length > 0 && Math.min(...rateLimited) < 30, 'the limiter slowed down');
  assert.ok(maxPerMinute(sim) <= 30, `at most 30 calls in any minute, saw ${maxPerMinute(sim)}`);
  const unfaulted429 = stats.recent.filter((r) => r.status === 429 && !r.fault).length;
  assert.equal(unfaulted429, 0, "the simulator's own 30/min limit (counted on arrival) never tripped");
});

test('a 5xx burst shorter than the retry budget is invisible to the caller', async () => {
  const retries: string[] = [];
  // Full jitter can draw short early delays: enough attempts to outlast the burst whatever the draws,
  // and a breaker that does not open on them (five quick draws inside the 3 s opened it now and then:
  // the request then failed fast, as it should, but that is the breaker's test, not this one's).
  const { sim, api } = await setup(0, { maxAttempts: 20, breakerThreshold: 20, hooks: { onRetry: (e) => retries.push(e.reason) } });
  await fault(sim, { mode: '5xx', durationMs: 3_000 });
  const address = sim.market.truth.pools()[0]!.address;
  const page = await api.pool('solana', address);
  assert.equal(page?.pools.length, 1);
  assert.ok(retries.length >= 1, 'it was retried');
  assert.ok((sim.stats.snapshot().byStatus['500'] ?? 0) + (sim.stats.snapshot().byStatus['502'] ?? 0) >= 1);
});

test('a hang is cut at the timeout', async () => {
  const { sim, api, clock } = await setup(0, { timeoutMs: 4_000, maxAttempts: 1 });
  await fault(sim, { mode: 'hang' });
  const started = clock.now();
  // What it saw dates from when the request went out, not from when the wait ended.
  await assert.rejects(api.pool('solana', sim.market.truth.pools()[0]!.address), (e: unknown) => e instanceof ApiUnavailableError && e.reason === 'timeout' && e.failureClass === 'api-down' && e.seenAt !== undefined && e.seenAt - started < 60 * SPEED);
  const elapsed = clock.now() - started;
  assert.ok(elapsed >= 4_000 && elapsed < 4_000 + 60 * SPEED, `cut after ${elapsed} simulated ms`);
});

test('the breaker opens after consecutive failures, lets ONE probe through, and closes on its success', async () => {
  const states: string[] = [];
  const { sim, api, clock } = await setup(0, { maxAttempts: 1, breakerThreshold: 3, breakerHalfOpenAfterMs: 10_000, hooks: { onBreakerStateChange: (e) => states.push(e.to) } });
  const address = sim.market.truth.pools()[0]!.address;
  await fault(sim, { mode: '5xx' });
  const sent: number[] = [];
  for (let i = 0; i < 3; i++) {
    sent.push(clock.now());
    await assert.rejects(api.pool('solana', address), (e: unknown) => e instanceof ApiUnavailableError && e.reason === 'server-error' && e.seenAt !== undefined && e.seenAt >= (sent[i] as number));
  }
  assert.equal(api.breakerState, 'open');
  const seen = sim.stats.snapshot().total;
  // A refusal's news is as old as the request whose failure opened the breaker.
  await clock.sleep(5_000);
  await assert.rejects(api.pool('solana', address), (e: unknown) => e instanceof ApiUnavailableError && e.reason === 'breaker-open' && e.seenAt !== undefined && e.seenAt >= (sent[2] as number) && e.seenAt < (sent[2] as number) + 5_000);
  assert.equal(sim.stats.snapshot().total, seen, 'refused without a request');

  await fault(sim, { mode: 'none' });
  await clock.sleep(10_000);
  const [probe, other] = await Promise.allSettled([api.pool('solana', address), api.pool('solana', address)]);
  assert.equal(probe.status, 'fulfilled');
  assert.ok(other.status === 'rejected' && other.reason instanceof ApiUnavailableError && other.reason.reason === 'breaker-open');
  assert.equal(sim.stats.snapshot().total, seen + 1, 'exactly one probe reached the server');
  assert.equal(api.breakerState, 'closed');
  assert.deepEqual(states, ['open', 'half-open', 'closed']);
  assert.ok(await api.pool('solana', address));
});

test('malformed JSON is one bad-data error; schema drift is tolerated or rejected item by item', async () => {
  const { sim, api } = await setup(0, { maxAttempts: 1 });
  const address = sim.market.truth.pools()[0]!.address;
  await fault(sim, { mode: 'malformed', variant: 'truncated' });
  await assert.rejects(api.trades('solana', address), (e: unknown) => e instanceof InvalidResponseError && e.failureClass === 'bad-data' && /not valid JSON/.test(e.message));
  // Drift: tolerated (extra fields, swapped types, removed optional fields) or rejected item by item
  // with a reason (a corrupted item, a renamed core field); never any other error.
  const rejectedBy: Record<string, number> = {};
  for (const variant of ['extra', 'types', 'remove', 'rename', 'corrupt-item']) {
    await fault(sim, { mode: 'drift', variant });
    rejectedBy[variant] = 0;
    for await (const page of api.topPools('solana', { pages: 1 })) {
      assert.equal(page.itemCount, 20);
      rejectedBy[variant] += page.rejected.length;
      assert.equal(page.pools.length + page.rejected.filter((r) => r.reason.startsWith('data')).length, 20);
    }
  }
  assert.deepEqual({ extra: rejectedBy.extra, types: rejectedBy.types, remove: rejectedBy.remove }, { extra: 0, types: 0, remove: 0 });
  assert.equal(rejectedBy['corrupt-item'], 1);
  assert.equal(rejectedBy.rename, 20, 'base_token_price_usd renamed: every pool says so');
});

test('a 429 past the retry budget is an api-rate-limit error; no fetch inside a write transaction', async () => {
  const { sim, api } = await setup(0, { maxAttempts: 2, maxRetryWaitMs: 60_000 });
  await fault(sim, { mode: '429-retry-after', retryAfterS: 600 });
  const address = sim.market.truth.pools()[0]!.address;
  await assert.rejects(api.pool('solana', address), (e: unknown) => e instanceof ApiRateLimitError && e.status === 429 && e.retryAfterMs === 600_000);
  await assert.rejects(
    runInWriteScope(() => api.pool('solana', address)),
    (e: unknown) => e instanceof GtcError && e.failureClass === 'bug' && e.message === 'network I/O inside a write transaction',
  );
});
