/**
 * At start, runs left 'running' by a process that died (kill -9, power loss) are closed as
 * 'abandoned': those of a dead process on this host (its pid is gone), those whose slot claim
 * expired unfinished (its holder stopped renewing it), and any older than the run time limit.
 * A dead local process's unfinished claims are released so their slots can be taken over now.
 */
import { hostname } from 'node:os';
import type { Store } from '../store/index.ts';
import { parseOwnerId, toSeconds } from './store-records.ts';

export interface AbandonOptions {
  /** This process's owner id (never abandoned). */
  owner: string;
  now: number;
  runTimeoutMs: number;
  host?: string;
  isAlive?: (pid: number) => boolean;
}

export function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Marks dead processes' runs as abandoned; returns how many runs were marked. */
export async function markAbandonedRuns(store: Store, options: AbandonOptions): Promise<number> {
  const host = options.host ?? hostname();
  const isAlive = options.isAlive ?? pidIsAlive;
  const nowS = toSeconds(options.now);
  const startedBefore = toSeconds(options.now - options.runTimeoutMs);
  const running = await store.read.runs.recent({ status: 'running', limit: 10_000 });

  const deadLocal = new Set<string>();
  const expiredElsewhere = new Set<string>();
  for (const run of running) {
    if (run.instanceId === options.owner || run.startedAt < startedBefore) continue;
    const id = parseOwnerId(run.instanceId);
    if (id && id.host === host && id.pid !== process.pid && !isAlive(id.pid)) {
      deadLocal.add(run.instanceId);
      continue;
    }
    if (run.slotStart === null) continue;
    const claim = await store.read.slotClaims.get(run.collector, run.slotStart);
    if (claim && claim.instanceId === run.instanceId && claim.finishedAt === null && claim.expiresAt < nowS) expiredElsewhere.add(run.instanceId);
  }

  return store.write(async (tx) => {
    let marked = await tx.runs.markAbandoned({ startedBefore }, nowS);
    for (const owner of [...deadLocal, ...expiredElsewhere]) marked += await tx.runs.markAbandoned({ instanceId: owner }, nowS);
    for (const owner of deadLocal) await tx.slotClaims.releaseUnfinished(owner, nowS);
    return marked;
  }, { label: 'abandon dead runs' });
}
