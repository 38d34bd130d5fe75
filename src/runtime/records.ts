/**
 * What the runtime keeps in the database, as the instance runner sees it. The implementation
 * over the store is in store-records.ts; times here are epoch milliseconds.
 */
import type { FailureClass } from '../lib/errors.ts';
import type { HealthState } from './supervisor.ts';

/** One row of collector_state, as the runtime reads and writes it (`disabled` is set only by a person). */
export interface InstanceState {
  name: string;
  state: HealthState;
  consecutiveFailures: number;
  intervalMs: number;
  configuredIntervalMs: number;
  /** The next scheduled time (before jitter); a restarted process resumes from it. */
  nextRunAt: number | null;
  lastRunAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
}

export interface PersistedInstanceState extends InstanceState {
  disabled: boolean;
}

/** Result of trying to claim a schedule slot. */
export type ClaimResult =
  /** `runId`: the collection_runs row (status `running`) committed with the claim. */
  | { won: true; runId: number }
  /**
   * `retakeAt`: the earliest time a takeover of an unfinished claim can succeed. `finishedAt`
   * (epoch ms): when the holder's run completed the slot; absent while it is unfinished.
   */
  | { won: false; holder: string; retakeAt: number; finishedAt?: number };

export interface FinishedRun {
  runId: number;
  name: string;
  slot: number;
  finishedAt: number;
  /** `abandoned`: the run gave its slot up to another process that had taken its claim over. */
  status: 'ok' | 'failed' | 'abandoned';
  rowsWritten: number;
  rejected: number;
  /** API calls the run made (announced, not stored). */
  apiCalls: number;
  error: string | null;
  failureClass: FailureClass | null;
  /** The failure was this process refusing the call itself (announced, not stored). */
  refusedLocally?: true;
  /** When the failure was seen, when before finishedAt (GtcError.seenAt; announced, not stored). */
  failureSeenAt?: number;
  /**
   * What becomes of the slot claim: `finish` (done, nobody retakes it) or `release` (the run
   * failed or was interrupted by shutdown: another live process may take the slot over at once).
   */
  claim: 'finish' | 'release';
}

export interface RuntimeRecords {
  /** This process's identity in slot claims and runs (host:pid:random). */
  readonly owner: string;
  loadState(name: string): Promise<PersistedInstanceState | undefined>;
  /**
   * When another process last showed the API up at or after `since`: its mark under `newsKey`
   * (markApiUp), or the start of its newest run of `collectors` that wrote rows (it fetched data).
   */
  seenUpByOthers(newsKey: string, collectors: readonly string[], since: number): Promise<number | undefined>;
  /** Tells the processes sharing `newsKey` that this one saw the API up (again) at `at`. */
  markApiUp(newsKey: string, at: number): Promise<void>;
  isDisabled(name: string): Promise<boolean>;
  saveState(state: InstanceState, at: number): Promise<void>;
  /**
   * Claims a slot: won when nobody held it, when this owner holds it unfinished (a retry), or when
   * its holder's claim expired unfinished (the holder died). A won claim and the run's row
   * (status `running`) commit together.
   */
  claimSlot(name: string, slot: number, at: number, expiresAt: number): Promise<ClaimResult>;
  /**
   * Extends this owner's claim (the heartbeat of a run); jumps the process's write queue. False
   * when another process holds the claim now (it took the slot over after the claim expired).
   */
  renewClaim(name: string, slot: number, expiresAt: number): Promise<boolean>;
  /**
   * Closes the run row, settles the claim and saves the instance state in one transaction (it
   * jumps the write queue: the claim stops being renewed when the run ends). Resolves false when
   * the claim had been taken over by another process: an `ok` run is then recorded as
   * `abandoned` — the slot's run is the other process's, so no slot is completed twice.
   */
  finishRun(run: FinishedRun, state: InstanceState): Promise<boolean>;
}
