/**
 * kill -9 of a real `gtc start` at 20 random moments of an accelerated run (×SPEED, collectors
 * every simulated minute, the simulator as the API): after each kill PRAGMA integrity_check is
 * `ok`; after each restart every run the killed process left `running` is `abandoned`; a final
 * SIGTERM exits cleanly with no run left running.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { RunStatus, Store } from '../../src/store/index.ts';
import { finalState, startScenario } from './e2e/scenario.ts';

const SPEED = 20;
const KILLS = 20;
const MINUTE = '1m';

async function runsOf(store: Store, owner: string, status: RunStatus): Promise<number[]> {
  const rows = await store.db.selectFrom('collection_runs').select('id').where('instance_id', '=', owner).where('status', '=', status).execute();
  return rows.map((r) => Number(r.id));
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function untilRunning(store: Store, owner: string, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline && (await runsOf(store, owner, 'running')).length === 0) await pause(10);
}

it(`kill -9 at ${KILLS} random moments: integrity ok after each, the killed runs abandoned at each restart`, { timeout: 150_000 }, async (t) => {
  const s = await startScenario(t, {
    speed: SPEED, leadMs: 60_000, watched: 10,
    config: (c) => ({
      ...c,
      collectors: {
        ...c.collectors,
        dexes: { interval: MINUTE }, 'top-pools': { interval: MINUTE, dexes: ['raydium'] }, 'new-pools': { interval: MINUTE },
        watchlist: { interval: MINUTE }, ohlcv: { interval: '3m', timeframes: ['5m', '1h'], backfillDays: 1 }, trades: { interval: MINUTE, minPollInterval: MINUTE },
      },
    }),
  });
  const killed: { owner: string; runs: number[]; delayMs: number }[] = [];
  const startups: number[] = [];
  for (let i = 0; i <= KILLS; i++) {
    const started = Date.now();
    const daemon = s.startDaemon();
    const { owner } = await daemon.ready();
    startups.push(Date.now() - started);
    const previous = killed.at(-1);
    if (previous) {
      assert.deepEqual(await runsOf(s.store, previous.owner, 'running'), [], `restart ${i}: nothing of the killed process is left running`);
      const abandoned = await runsOf(s.store, previous.owner, 'abandoned');
      assert.ok(previous.runs.every((id) => abandoned.includes(id)), `restart ${i}: runs ${previous.runs.join(', ')} abandoned (abandoned: ${abandoned.join(', ')})`);
    }
    if (i === KILLS) {
      assert.equal((await daemon.stop()).code, 0, 'the last daemon stops cleanly on SIGTERM');
      break;
    }
    const delayMs = 100 + Math.floor(Math.random() * 1400);
    await pause(delayMs);
    // Three kills in four also wait (briefly) for a run in progress, so that under load most kills
    // still land mid-run; the fourth kills wherever the random moment fell (start-up, idle, a run).
    if (i % 4 !== 3) await untilRunning(s.store, owner, 2_000);
    daemon.kill('SIGKILL');
    await daemon.exited;
    assert.equal(await s.store.integrityCheck(), 'ok', `integrity after kill ${i + 1}`);
    killed.push({ owner, runs: await runsOf(s.store, owner, 'running'), delayMs });
  }
  const midRun = killed.filter((k) => k.runs.length > 0);
  const after = await finalState(s.store);
  const abandoned = (await s.store.db.selectFrom('collection_runs').select('id').where('status', '=', 'abandoned').execute()).length;
  const ok = (await s.store.db.selectFrom('collection_runs').select('id').where('status', '=', 'ok').execute()).length;
  t.diagnostic(`${KILLS} kills at ${killed.map((k) => k.delayMs).join(', ')} ms after start-up (real); ${midRun.length} hit runs in progress (${midRun.reduce((n, k) => n + k.runs.length, 0)} runs); ${abandoned} runs abandoned, ${ok} ok in all`);
  t.diagnostic(`start-up to "scheduler started": median ${startups.sort((a, b) => a - b)[Math.floor(startups.length / 2)]} ms, max ${Math.max(...startups)} ms real`);
  assert.ok(midRun.length >= KILLS / 2, `most kills landed mid-run (${midRun.length}/${KILLS})`);
  assert.equal(after.running, 0, 'no run left running');
  assert.equal(await s.store.integrityCheck(), 'ok');
});
