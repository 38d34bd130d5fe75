/**
 * RuntimeRecords over the store: collector_state, collection_runs and slot_claims. The runtime
 * counts in epoch milliseconds; the database holds unix seconds (design.md §4), so slots are
 * whole seconds (the daemon accepts only intervals in whole seconds).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Store, WriteTx } from '../store/index.ts';
import type { HealthState } from './supervisor.ts';
import { HEALTH_STATES } from './supervisor.ts';
import type { ClaimResult, FinishedRun, InstanceState, PersistedInstanceState, RuntimeRecords } from './records.ts';

export const toSeconds = (ms: number): number => Math.floor(ms / 1000);
/** checkpoints namespace of the API news processes share (key: api.budgetKey, value: epoch ms the API was seen up). */
const API_NEWS = 'api-news';
const toMs = (s: number | null): number | null => (s === null ? null : s * 1000);

/** A process's identity in slot_claims and collection_runs: `host:pid:random`. */
export function processOwnerId(host = hostname(), pid = process.pid): string {
  return `${host}:${pid}:${randomBytes(3).toString('hex')}`;
}

/** The host and pid of an owner id made by processOwnerId, if it is one. */
export function parseOwnerId(owner: string): { host: string; pid: number } | undefined {
  const match = /^(.*):(\d+):[0-9a-f]+$/.exec(owner);
  return match ? { host: match[1] as string, pid: Number(match[2]) } : undefined;
}

export class StoreRecords implements RuntimeRecords {
  constructor(
    private readonly store: Store,
    readonly owner: string = processOwnerId(),
  ) {}

  async loadState(name: string): Promise<PersistedInstanceState | undefined> {
    const row = await this.store.read.collectorState.get(name);
    if (!row) return undefined;
    const state: HealthState = (HEALTH_STATES as readonly string[]).includes(row.state) ? (row.state as HealthState) : 'healthy';
    return {
      name, state, consecutiveFailures: row.consecutiveFailures, intervalMs: row.intervalS * 1000,
      configuredIntervalMs: row.configuredIntervalS * 1000, nextRunAt: toMs(row.nextRunAt), lastRunAt: toMs(row.lastRunAt),
      lastSuccessAt: toMs(row.lastSuccessAt), lastError: row.lastError, disabled: row.disabled,
    };
  }

  async seenUpByOthers(newsKey: string, collectors: readonly string[], since: number): Promise<number | undefined> {
    const mark = await this.store.read.checkpoints.get(API_NEWS, newsKey);
    const markedAt = mark ? Number(mark.value) : NaN;
    if (Number.isFinite(markedAt) && markedAt >= since) return markedAt;
    const started = await this.store.read.runs.newestStartWithRows({ collectors, since: Math.ceil(since / 1000), excludeInstance: this.owner });
    return toMs(started ?? null) ?? undefined;
  }

  async markApiUp(newsKey: string, at: number): Promise<void> {
    // Urgent: one row, and the other processes' resumption waits on it (not on this one's page writes).
    await this.store.write((tx) => tx.checkpoints.set(API_NEWS, newsKey, String(at), toSeconds(at)), { label: 'API news', urgent: true });
  }

  async isDisabled(name: string): Promise<boolean> {
    return (await this.store.read.collectorState.get(name))?.disabled ?? false;
  }

  async saveState(state: InstanceState, at: number): Promise<void> {
    await this.store.write((tx) => upsertState(tx, state, at), { label: 'collector state' });
  }

  claimSlot(name: string, slot: number, at: number, expiresAt: number): Promise<ClaimResult> {
    return this.store.write(async (tx): Promise<ClaimResult> => {
      const slotStart = toSeconds(slot);
      const claim = { collector: name, slotStart, instanceId: this.owner, now: toSeconds(at), expiresAt: toSeconds(expiresAt) };
      const startRun = async (): Promise<ClaimResult> => ({ won: true, runId: await tx.runs.start({ collector: name, instanceId: this.owner, slotStart, startedAt: claim.now }) });
      if (await tx.slotClaims.claim(claim)) return startRun();
      const held = await tx.slotClaims.get(name, slotStart);
      if (!held) return { won: false, holder: 'unknown', retakeAt: at + 1000 };
      if (held.instanceId === this.owner && held.finishedAt === null) {
        // A retry of a slot this process holds unfinished (its failed run's close is still to be
        // written): reopen the claim, so if this process dies during the retry, another one takes
        // the slot over once the claim expires. A finished slot is never run again.
        await tx.slotClaims.reopen(name, slotStart, this.owner, claim.expiresAt);
        return startRun();
      }
      // Expiry is compared in whole seconds (expires_at < now): the first second after it.
      const finished = held.finishedAt === null ? {} : { finishedAt: held.finishedAt * 1000 };
      return { won: false, holder: held.instanceId, retakeAt: (held.expiresAt + 1) * 1000, ...finished };
    }, { label: 'slot claim' });
  }

  renewClaim(name: string, slot: number, expiresAt: number): Promise<boolean> {
    return this.store.write((tx) => tx.slotClaims.renew(name, toSeconds(slot), this.owner, toSeconds(expiresAt)), { label: 'slot claim renewal', urgent: true });
  }

  finishRun(run: FinishedRun, state: InstanceState): Promise<boolean> {
    return this.store.write(async (tx) => {
      const slotStart = toSeconds(run.slot);
      const finishedAt = toSeconds(run.finishedAt);
      const held = run.claim === 'finish'
        ? await tx.slotClaims.finish(run.name, slotStart, this.owner, finishedAt)
        : await tx.slotClaims.release(run.name, slotStart, this.owner, finishedAt);
      const lost = !held && run.status === 'ok';
      // Row counts are left as the collector's page transactions added them (RunsRepository.addCounts).
      await tx.runs.finish(run.runId, {
        finishedAt, status: lost ? 'abandoned' : run.status, failureClass: run.failureClass,
        error: lost ? 'finished after another process had taken its expired slot claim over; the slot is that run\'s' : run.error,
      });
      await upsertState(tx, state, run.finishedAt);
      return held;
    }, { label: 'run finish', urgent: true });
  }
}

async function upsertState(tx: WriteTx, state: InstanceState, at: number): Promise<void> {
  await tx.collectorState.upsert([{
    collector: state.name, state: state.state, consecutiveFailures: state.consecutiveFailures,
    intervalS: Math.round(state.intervalMs / 1000), configuredIntervalS: Math.round(state.configuredIntervalMs / 1000),
    nextRunAt: state.nextRunAt === null ? null : toSeconds(state.nextRunAt), lastRunAt: state.lastRunAt === null ? null : toSeconds(state.lastRunAt),
    lastSuccessAt: state.lastSuccessAt === null ? null : toSeconds(state.lastSuccessAt), lastError: state.lastError,
    disabled: state.state === 'disabled', updatedAt: toSeconds(at),
  }]);
}

/** Sets or clears the disabled flag of an instance (`gtc collector disable|enable NAME`). */
export async function setCollectorDisabled(store: Store, name: string, disabled: boolean, at = Date.now()): Promise<void> {
  await store.write((tx) => tx.collectorState.setDisabled(name, disabled, toSeconds(at)), { label: disabled ? 'disable collector' : 'enable collector' });
}
