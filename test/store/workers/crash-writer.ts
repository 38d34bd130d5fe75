/**
 * Writes large batches forever, until killed:
 *   node --import tsx test/store/workers/crash-writer.ts FILE FIRST_BATCH ROWS
 * Batch b inserts ROWS trades with pool_id `batch{b}` and a checkpoint, in one transaction.
 * Prints "writing b" before and "committed b" after each transaction.
 */
import { openStore } from '../../../src/store/index.ts';
import { makeTrade } from '../../support/records.ts';

const [file, firstArg, rowsArg] = process.argv.slice(2);
if (!file || !firstArg || !rowsArg) throw new Error('usage: FILE FIRST_BATCH ROWS');
const rows = Number(rowsArg);
const store = await openStore({ url: `sqlite:${file}` });
for (let batch = Number(firstArg); ; batch++) {
  const trades = Array.from({ length: rows }, (_, k) => ({ ...makeTrade(k, `batch${batch}`), id: `b${batch}_${k}` }));
  process.stdout.write(`writing ${batch}\n`);
  await store.write(async (tx) => {
    await tx.trades.insert(trades);
    await tx.checkpoints.set('crash-writer', `batch${batch}`, String(rows), 0);
  });
  process.stdout.write(`committed ${batch}\n`);
}
