/**
 * Holds the write lock of a SQLite file: `BEGIN EXCLUSIVE`, one write, then COMMIT after HOLD_MS.
 *   node --import tsx test/store/workers/hold-lock.ts FILE HOLD_MS
 * Prints "locked" once it holds the lock and "released" after committing.
 */
import BetterSqlite3 from 'better-sqlite3';

const [file, holdArg] = process.argv.slice(2);
if (!file || !holdArg) throw new Error('usage: FILE HOLD_MS');
const db = new BetterSqlite3(file);
db.pragma('busy_timeout = 5000');
db.exec('BEGIN EXCLUSIVE');
db.prepare("insert into checkpoints (collector, key, value, updated_at) values ('holder', 'lock', 'held', 0)").run();
process.stdout.write('locked\n');
setTimeout(() => {
  db.exec('COMMIT');
  db.close();
  process.stdout.write('released\n');
}, Number(holdArg));
