/**
 * Is a gtc daemon using this SQLite file right now? Restoring under a running daemon would leave it
 * writing to a file that is no longer the database. Evidence, from the database itself:
 * - a process on this host that recorded runs or slot claims (owner `host:pid:…`) and is alive;
 * - an unfinished, unexpired slot claim by a process on another host (which cannot be checked).
 */
import { hostname } from 'node:os';
import BetterSqlite3 from 'better-sqlite3';
import { parseOwnerId } from '../../../runtime/store-records.ts';

function alive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A sentence naming the daemon that seems to be running on `path`, or undefined when none is. */
export function runningDaemon(path: string, nowMs = Date.now()): string | undefined {
  let db: BetterSqlite3.Database;
  try {
    db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  } catch {
    return undefined;
  }
  try {
    db.pragma('busy_timeout = 5000');
    const tables = new Set((db.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[]).map((t) => t.name));
    if (!tables.has('collection_runs') || !tables.has('slot_claims')) return undefined;
    const now = Math.floor(nowMs / 1000);
    const owners = db
      .prepare(
        `select instance_id as owner, max(at) as at, max(live_claim) as live_claim from (
           select instance_id, coalesce(finished_at, started_at) as at, 0 as live_claim from collection_runs where started_at > ? or status = 'running'
           union all
           select instance_id, claimed_at as at, case when finished_at is null and expires_at > ? then 1 else 0 end from slot_claims where claimed_at > ? or (finished_at is null and expires_at > ?)
         ) group by instance_id order by at desc limit 200`,
      )
      .all(now - 86_400, now, now - 86_400, now) as { owner: string; at: number; live_claim: number }[];
    const here = hostname();
    for (const { owner, at, live_claim: liveClaim } of owners) {
      const parsed = parseOwnerId(owner);
      if (parsed && parsed.host === here) {
        if (alive(parsed.pid)) return `process ${parsed.pid} on this machine (a gtc daemon, last active ${new Date(at * 1000).toISOString()}) is still running`;
      } else if (liveClaim) {
        return `instance ${owner} holds an unexpired slot claim (last active ${new Date(at * 1000).toISOString()})`;
      }
    }
    return undefined;
  } finally {
    db.close();
  }
}
