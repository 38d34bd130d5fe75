/**
 * The end of each run, as recorded and announced: the collection_runs row closed together with
 * the slot claim and collector_state (one transaction), and the run-finished event. A close the
 * database refuses (it is locked or down — often the very failure being recorded) is kept and
 * written at the instance's next step, within a probe interval, and at the latest when the daemon
 * stops: until then the run's row reads `running`.
 */
import type { RunSummary } from '../collectors/types.ts';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import type { RuntimeEvents } from './events.ts';
import type { FinishedRun, InstanceState, RuntimeRecords } from './records.ts';

export class RunLedger {
  private pending: FinishedRun[] = [];
  lastRunStatus: string | null = null;

  constructor(
    private readonly name: string,
    private readonly records: RuntimeRecords,
    private readonly events: RuntimeEvents,
    private readonly logger: Logger,
  ) {}

  /** The closing record of a run (`runId` -1: the run never got a row, e.g. the claim failed). */
  row(runId: number, slot: number, at: number, status: FinishedRun['status'], summary?: RunSummary): FinishedRun {
    return {
      runId, name: this.name, slot, finishedAt: at, status, rowsWritten: summary?.rowsWritten ?? 0,
      rejected: summary?.rejected ?? 0, apiCalls: summary?.apiCalls ?? 0, error: null, failureClass: null, claim: 'finish',
    };
  }

  /** Announces the run; closes its row (if it has one) with the instance state. */
  async close(run: FinishedRun, started: number, state: InstanceState): Promise<void> {
    this.announce(run, started);
    if (run.runId < 0) return;
    try {
      await this.write(run, state);
    } catch (err) {
      this.logger.warn({ err: errorMessage(err), runId: run.runId }, 'could not record the end of the run; will retry');
      this.pending.push(run);
    }
  }

  /** Closes the database refused, still to be written. */
  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Writes closes that failed earlier, oldest first; stops at the first that fails again. */
  async flush(state: InstanceState): Promise<void> {
    while (this.pending.length > 0) {
      const run = this.pending[0] as FinishedRun;
      const written = await this.write(run, state).then(() => true, (err: unknown) => {
        this.logger.debug({ err: errorMessage(err), runId: run.runId }, 'could not record the end of the run yet');
        return false;
      });
      if (!written) return;
      this.pending.shift();
      this.logger.info({ runId: run.runId, status: run.status }, 'recorded the end of a run the database had refused');
    }
  }

  private async write(run: FinishedRun, state: InstanceState): Promise<void> {
    const held = await this.records.finishRun(run, state);
    if (!held && run.status === 'ok') {
      this.logger.warn({ runId: run.runId, slot: new Date(run.slot).toISOString() }, 'the run finished after another process took its expired slot claim over; recorded as abandoned');
    }
  }

  private announce(run: FinishedRun, started: number): void {
    this.lastRunStatus = run.status;
    this.events.emitRunFinished({
      instance: this.name, status: run.status, durationMs: run.finishedAt - started, rowsWritten: run.rowsWritten, rejected: run.rejected, apiCalls: run.apiCalls,
      ...(run.failureClass ? { failureClass: run.failureClass } : {}), ...(run.refusedLocally ? { refusedLocally: true as const } : {}),
      ...(run.failureSeenAt !== undefined ? { failureSeenAt: run.failureSeenAt } : {}), ...(run.runId >= 0 ? { runId: run.runId } : {}), at: run.finishedAt,
    });
  }
}
