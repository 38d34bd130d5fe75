/**
 * A daemon-like writer for backup tests: claims a schedule slot and records a running run as a
 * gtc daemon does (owner `host:pid:…`), then writes batches of 200 trades until killed, each batch
 * committed together with the checkpoint that counts the batches.
 *
 *   node --import tsx db-writer-worker.ts DATABASE_URL
 */
import { processOwnerId } from '../../src/runtime/store-records.ts';
import { openStore } from '../../src/store/index.ts';
import { makeTrade } from '../support/records.ts';

const BATCH = 200;

const store = await openStore({ url: process.argv[2] as string, checkpointEveryMs: 0 });
const owner = processOwnerId();
const now = Math.floor(Date.now() / 1000);
await store.write(async (tx) => {
  await tx.slotClaims.claim({ collector: 'trades', slotStart: now, instanceId: owner, now, expiresAt: now + 3600 });
  await tx.runs.start({ collector: 'trades', instanceId: owner, slotStart: now, startedAt: now });
});
for (let batch = 1; ; batch++) {
  const trades = Array.from({ length: BATCH }, (_, i) => ({ ...makeTrade(batch * BATCH + i), id: `batch${batch}-${i}` }));
  await store.write(async (tx) => {
    await tx.trades.insert(trades);
    await tx.checkpoints.set('writer', 'batches', String(batch), Math.floor(Date.now() / 1000));
  });
  if (batch === 5) process.stdout.write('ready\n');
}
