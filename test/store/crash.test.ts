/**
 * kill -9 of a writer in the middle of a large batch, 20 times: the database stays intact
 * (PRAGMA integrity_check = ok) and every batch is all or nothing.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openStore } from '../../src/store/index.ts';
import { spawnTs } from '../support/child.ts';
import { tempDir } from '../support/temp-dir.ts';

const WRITER = fileURLToPath(new URL('./workers/crash-writer.ts', import.meta.url));
const KILLS = 20;
const ROWS = 10_000;

test(`kill -9 of a writer mid-batch, ${KILLS} times: integrity ok, each batch all or nothing`, { timeout: 60_000 }, async (t) => {
  const file = join(tempDir(t), 'gtc.sqlite');
  await (await openStore({ url: `sqlite:${file}` })).close();
  let killedMidBatch = 0;
  for (let round = 0; round < KILLS; round++) {
    const child = spawnTs(WRITER, [file, String(round * 1000), String(ROWS)]);
    const exited = once(child, 'exit');
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    const startsBeforeKill = 1 + (round % 3);
    while ((output.match(/writing/g) ?? []).length < startsBeforeKill) await once(child.stdout, 'data');
    await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 60)));
    child.kill('SIGKILL');
    const [, signal] = await exited;
    assert.equal(signal, 'SIGKILL');
    if (output.trim().split('\n').at(-1)?.startsWith('writing')) killedMidBatch++;
  }

  const store = await openStore({ url: `sqlite:${file}` });
  try {
    assert.equal(await store.integrityCheck(), 'ok');
    const batches = await store.db
      .selectFrom('trades')
      .select(['pool_id', sql<number>`count(*)`.as('n')])
      .groupBy('pool_id')
      .execute();
    for (const b of batches) assert.equal(Number(b.n), ROWS, `batch ${b.pool_id} is complete`);
    const checkpoints = await store.read.checkpoints.list('crash-writer');
    assert.deepEqual(checkpoints.map((c) => c.key).sort(), batches.map((b) => b.pool_id).sort(), 'a batch is stored iff its checkpoint is');
    console.log(`# ${batches.length} complete batches, ${killedMidBatch}/${KILLS} kills landed between the start and the commit of a batch`);
  } finally {
    await store.close();
  }
});
