/**
 * Several real processes on one database, each running the same instance: every schedule slot
 * runs exactly once; a process killed mid-run loses its slot for no longer than the claim
 * timeout; its run is closed as 'abandoned' at the next start.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openStore, type Store } from '../../src/store/index.ts';
import { freshPgDatabase } from '../support/postgres.ts';
import { tempDir } from '../support/temp-dir.ts';
import { Worker } from './processes.ts';
import type { WorkerConfig } from './workers/slot-worker.ts';

const SLOTS = 50;
const SPEED = 6; // one 1-second slot = 167 ms of real time
const CLAIM_TIMEOUT_S = 3;

function workerConfig(url: string, runMs: number): WorkerConfig {
  const simStart = Date.UTC(2025, 0, 1);
  return { url, simStart, realStart: Date.now(), speed: SPEED, intervalMs: 1000, claimTimeoutMs: CLAIM_TIMEOUT_S * 1000, runMs, untilSim: simStart + 10 * 60_000 };
}

interface Outcome {
  firstSlot: number;
  killed?: { slot: number; runId: number; owner: string };
}

/** Runs 3 workers until SLOTS slots after all are ready have finished; optionally kills one mid-run. */
async function runThree(url: string, kill: boolean, freezeFile: string): Promise<{ outcome: Outcome; workers: Worker[] }> {
  const config = workerConfig(url, kill ? 400 : 100);
  const workers = [new Worker({ ...config, freezeFile }), new Worker(config), new Worker(config)];
  try {
    const ready = await Promise.all(workers.map((w) => w.waitFor((e) => e.event === 'ready')));
    const firstSlot = Math.floor(Math.max(...ready.map((e) => e.at ?? 0)) / 1000) + 2;
    const outcome: Outcome = { firstSlot };
    if (kill) {
      const victim = workers[0] as Worker;
      // Its run of that slot freezes until the kill: the kill cannot come after the run's end.
      writeFileSync(freezeFile, String(firstSlot + 5));
      const start = await victim.waitFor((e) => e.event === 'run-start' && (e.slot ?? 0) >= firstSlot + 5);
      victim.kill('SIGKILL');
      outcome.killed = { slot: start.slot as number, runId: start.runId as number, owner: ready[0]?.owner as string };
      await victim.exited;
    }
    const last = firstSlot + SLOTS - 1;
    const alive = kill ? workers.slice(1) : workers;
    const finished = alive.map((w) => w.waitFor((e) => e.event === 'run-end' && (e.slot ?? 0) >= last + 1, 60_000));
    for (const f of finished) f.catch(() => undefined);
    await Promise.race(finished);
    for (const w of alive) w.kill('SIGTERM');
    const exits = await Promise.all(alive.map((w) => w.exited));
    assert.ok(exits.every((e) => e.code === 0), `graceful exits: ${JSON.stringify(exits)} ${alive.map((w) => w.stderr).join('\n')}`);
    return { outcome, workers };
  } finally {
    for (const w of workers) w.kill('SIGKILL');
  }
}

async function okRunsBySlot(store: Store): Promise<Map<number, { owners: string[]; startedAt: number[] }>> {
  const rows = await store.db.selectFrom('collection_runs').select(['slot_start', 'instance_id', 'started_at']).where('collector', '=', 'slot-test').where('status', '=', 'ok').execute();
  const bySlot = new Map<number, { owners: string[]; startedAt: number[] }>();
  for (const r of rows) {
    const slot = Number(r.slot_start);
    const entry = bySlot.get(slot) ?? { owners: [], startedAt: [] };
    entry.owners.push(r.instance_id);
    entry.startedAt.push(Number(r.started_at));
    bySlot.set(slot, entry);
  }
  return bySlot;
}

async function assertEverySlotOnce(store: Store, firstSlot: number): Promise<void> {
  const bySlot = await okRunsBySlot(store);
  const twice = [...bySlot].filter(([, e]) => e.owners.length > 1);
  assert.deepEqual(twice, [], 'no slot ran twice');
  const missing: number[] = [];
  for (let s = firstSlot; s < firstSlot + SLOTS; s++) if (!bySlot.has(s)) missing.push(s - firstSlot);
  assert.deepEqual(missing, [], 'every slot ran');
  const owners = new Set([...bySlot.values()].flatMap((e) => e.owners));
  assert.ok(owners.size >= 2, 'the slots were shared between processes');
}

async function scenario(url: string, kill: boolean, dir: string): Promise<void> {
  const store = await openStore({ url, checkpointEveryMs: 0 });
  try {
    const { outcome } = await runThree(url, kill, join(dir, 'freeze-from'));
    await assertEverySlotOnce(store, outcome.firstSlot);
    if (!outcome.killed) return;
    const { slot, runId, owner } = outcome.killed;
    const retaken = (await okRunsBySlot(store)).get(slot);
    assert.ok(retaken && !retaken.owners.includes(owner), 'another process ran the killed slot');
    const killedRun = await store.read.runs.get(runId);
    assert.equal(killedRun?.status, 'running', 'nobody has closed it yet');
    // Retaken once the claim expired, and no later than the claim timeout after the killed run
    // started: +1 s because expiry is compared in whole seconds, +1 s of slack for a loaded machine.
    const after = (retaken.startedAt[0] as number) - (killedRun?.startedAt ?? 0);
    assert.ok(after >= CLAIM_TIMEOUT_S && after <= CLAIM_TIMEOUT_S + 2, `retaken at +${after} s`);

    // A restarted process closes the dead process's run as abandoned.
    const restarted = new Worker(workerConfig(url, 100));
    await restarted.waitFor((e) => e.event === 'ready');
    restarted.kill('SIGTERM');
    assert.equal((await restarted.exited).code, 0);
    assert.equal((await store.read.runs.get(runId))?.status, 'abandoned');
    assert.equal(await store.integrityCheck(), 'ok');
  } finally {
    await store.close();
  }
}

describe('slot claims across processes', { timeout: 120_000 }, () => {
  it('SQLite: 3 processes, 50 slots, every slot exactly once', async (t) => {
    const dir = tempDir(t);
    await scenario(`sqlite:${join(dir, 'claims.sqlite')}`, false, dir);
  });

  it('SQLite: a process killed mid-run loses its slot for no longer than the claim timeout', async (t) => {
    const dir = tempDir(t);
    await scenario(`sqlite:${join(dir, 'claims.sqlite')}`, true, dir);
  });

  it('PostgreSQL: 3 processes, 50 slots, every slot exactly once; a killed process\'s slot is retaken', async (t) => {
    const url = await freshPgDatabase(t);
    if (!url) return;
    await scenario(url, true, tempDir(t));
  });
});
