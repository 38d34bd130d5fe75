/**
 * The incident's lock, from a separate process: holds the database's write lock on command.
 *   node --import tsx bench/chaos/lock-holder.ts sqlite:FILE | postgres://… [LOCK_TIMEOUT_MS]
 * stdin "lock" → SQLite BEGIN EXCLUSIVE / PostgreSQL LOCK TABLE … IN EXCLUSIVE MODE on every
 * table gtc writes (reads still pass, as with SQLite WAL); prints "locked". "release" → COMMIT;
 * prints "released"; a lock it cannot get prints "failed". Started ahead of time, so taking the
 * lock is immediate. LOCK_TIMEOUT_MS (PostgreSQL, real ms, default 200): how long one LOCK TABLE
 * may wait — while it waits, every later writer queues behind it, so at high speeds keep it small.
 */
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { createInterface } from 'node:readline';
import { TABLE_NAMES } from '../../src/store/schema.ts';

const url = process.argv[2];
const lockTimeoutMs = Math.max(1, Math.round(Number(process.argv[3] ?? 200)));
if (!url) throw new Error('usage: lock-holder.ts sqlite:FILE | postgres://…');

interface Holder {
  lock(): Promise<void>;
  release(): Promise<void>;
}

async function sqliteHolder(file: string): Promise<Holder> {
  const db = new BetterSqlite3(file);
  db.pragma('busy_timeout = 60000');
  return {
    lock: async () => void db.exec('BEGIN EXCLUSIVE'),
    release: async () => void db.exec('COMMIT'),
  };
}

async function postgresHolder(connectionString: string, lockTimeoutMs: number): Promise<Holder> {
  // A server restart ends the connection: the next lock connects again.
  let client: pg.Client | undefined;
  const connected = async (): Promise<pg.Client> => {
    if (client) return client;
    const fresh = new pg.Client({ connectionString });
    fresh.on('error', () => {
      if (client === fresh) client = undefined;
    });
    await fresh.connect();
    client = fresh;
    return fresh;
  };
  await connected();
  return {
    lock: async () => {
      // Tables are locked one by one, so a writer holding a later one can deadlock with us, and a
      // long write makes us wait: retry until the lock is ours.
      for (let attempt = 1; ; attempt++) {
        const c = await connected();
        try {
          await c.query('BEGIN');
          // A waiting LOCK TABLE queues every later writer behind it: give up fast and try again.
          await c.query(`SET LOCAL lock_timeout = '${lockTimeoutMs}ms'`);
          await c.query(`LOCK TABLE ${TABLE_NAMES.join(', ')} IN EXCLUSIVE MODE`);
          return;
        } catch (error) {
          await c.query('ROLLBACK').catch(() => undefined);
          if (attempt >= 5000) throw error;
        }
      }
    },
    release: async () => void (await (await connected()).query('COMMIT').catch(() => undefined)),
  };
}

const holder = url.startsWith('postgres') ? await postgresHolder(url, lockTimeoutMs) : await sqliteHolder(url.replace(/^sqlite:/, ''));
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'lock') {
    const ok = await holder.lock().then(() => true, () => false);
    process.stdout.write(ok ? 'locked\n' : 'failed\n');
  } else if (line === 'release') {
    await holder.release();
    process.stdout.write('released\n');
  }
}
process.exit(0);
