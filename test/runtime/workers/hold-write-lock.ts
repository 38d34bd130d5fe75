/**
 * Holds the write lock of a SQLite file on command, from another process:
 *   node --import tsx test/runtime/workers/hold-write-lock.ts FILE
 * stdin "lock" → BEGIN EXCLUSIVE (prints "locked"); "release" → COMMIT (prints "released").
 * Started ahead of time, so taking the lock is immediate (no start-up delay).
 */
import BetterSqlite3 from 'better-sqlite3';
import { createInterface } from 'node:readline';

const file = process.argv[2];
if (!file) throw new Error('usage: hold-write-lock.ts FILE');
const db = new BetterSqlite3(file);
db.pragma('busy_timeout = 5000');
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'lock') {
    db.exec('BEGIN EXCLUSIVE');
    process.stdout.write('locked\n');
  } else if (line === 'release') {
    db.exec('COMMIT');
    process.stdout.write('released\n');
  }
}
db.close();
