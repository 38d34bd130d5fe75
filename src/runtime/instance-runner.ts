/**
 * One collector instance's loop: sleep until the next step, then run (after claiming the slot)
 * or probe, and let the supervisor and the adaptive interval decide the step after. Every
 * instance has its own loop, so one failing, hanging or slow instance delays nobody else.
 */
import type { CollectorInstance, RunSummary } from '../collectors/types.ts';
import type { GtcConfig } from '../config/index.ts';
import type { Clock } from '../lib/clock.ts';
import { classifyFailure, errorMessage, failureSeenAt, refusedLocally } from '../lib/errors.ts';
import { classifyDbError } from '../store/write-policy.ts';
import type { Logger } from '../lib/log.ts';
import type { RuntimeEvents } from './events.ts';
import { probeOnce, type Probe } from './probe.ts';
import type { ClaimResult, InstanceState, RuntimeRecords } from './records.ts';
import { executeRun } from './run-executor.ts';
import { RunLedger } from './run-ledger.ts';
import { RunSchedule } from './run-schedule.ts';
import { slotStart } from './schedule.ts';
import { SlotWatch } from './slot-watch.ts';
import { Supervisor, type RecoveryPolicy, type Transition } from './supervisor.ts';
import { instanceStatus, type InstanceStatus } from './status.ts';
import { linkSignals } from '../lib/signals.ts';

export interface InstanceRunnerOptions {
  instance: CollectorInstance;
  records: RuntimeRecords;
  clock: Clock;
  /** Already bound to the instance name (a child logger), so every line names it. */
  logger: Logger;
  events: RuntimeEvents;
  recovery: GtcConfig['recovery'] & Pick<RecoveryPolicy, 'maxProbeDelay'>;
  /** Probes of the dependencies; a suspended instance probes the one its last failure blamed. */
  probes: { database: Probe; api: Probe };
  stopSignal: AbortSignal;
  /** Upper bound of the random delay added to scheduled runs (also at most 10% of the interval). */
  jitterMaxMs: number;
  random?: () => number;
}

type Step =
  | { kind: 'run'; at: number; reason: 'start' | 'schedule' | 'retry' | 'resume'; scheduledFor: number | null }
  | { kind: 'probe'; at: number }
  | { kind: 'check-disabled'; at: number };

export class InstanceRunner {
  private readonly o: InstanceRunnerOptions;
  private supervisor: Supervisor;
  private readonly schedule: RunSchedule;
  private planned: Step;
  private readonly watch: SlotWatch;
  private readonly ledger: RunLedger;
  private hung: Promise<unknown> | undefined;
  private wakeUp = new AbortController();
  private running = false;
  private lastRunAt: number | null = null;
  private lastSuccessAt: number | null = null;
  /** When this process last saw a run of the instance fail (really, not refused here): older news of a dependency being up changes nothing. */
  private lastFailedAt = -Infinity;

  constructor(options: InstanceRunnerOptions) {
    this.o = options;
    this.supervisor = new Supervisor(options.instance.name, options.recovery);
    this.watch = new SlotWatch(options.recovery.probeInterval);
    this.schedule = new RunSchedule({
      instance: options.instance, clock: options.clock, maxIntervalFactor: options.recovery.maxIntervalFactor, jitterMaxMs: options.jitterMaxMs,
      ...(options.random ? { random: options.random } : {}),
      onIntervalChanged: (fromMs, toMs) => {
        options.logger.info({ fromMs, toMs }, 'interval adapted');
        options.events.emitIntervalChanged({ instance: this.name, fromMs, toMs, configuredMs: options.instance.intervalMs, at: options.clock.now() });
      },
    });
    this.planned = { kind: 'run', at: options.clock.now(), reason: 'start', scheduledFor: null };
    this.ledger = new RunLedger(options.instance.name, options.records, options.events, options.logger);
  }

  get name(): string {
    return this.o.instance.name;
  }

  status(): InstanceStatus {
    const snapshot = this.supervisor.snapshot();
    return instanceStatus({
      instance: this.o.instance, snapshot, intervalMs: this.schedule.intervalMs, nextRunAt: this.planned.at,
      lastRunAt: this.lastRunAt, lastRunStatus: this.ledger.lastRunStatus, lastSuccessAt: this.lastSuccessAt, running: this.running,
    });
  }

  /** Re-reads the disabled flag at once (after `setCollectorDisabled` in this process). */
  recheck(): void {
    if (!this.running) this.planned = { kind: 'check-disabled', at: this.o.clock.now() };
    this.wakeUp.abort();
  }

  /**
   * An instance waiting on `probe`'s dependency goes now, since it was seen up at `seenUpAt`
   * (not before this instance's last failure): a suspended one probes, a degraded one ends its retry
   * backoff (which may have grown to a minute).
   */
  wakeIfWaitingOn(probe: Probe, seenUpAt: number): void {
    if (this.running || this.probeToUse() !== probe || seenUpAt < this.lastFailedAt) return;
    const now = this.o.clock.now();
    if (this.planned.kind === 'probe') this.planned = { kind: 'probe', at: now };
    else if (this.planned.kind === 'run' && this.planned.reason === 'retry') this.planned = { ...this.planned, at: now };
    else return;
    this.wakeUp.abort();
  }

  /** Runs until the stop signal; resolves once no run of this instance is in progress. */
  async loop(): Promise<void> {
    await this.resume();
    while (!this.o.stopSignal.aborted) {
      // Only a healthy instance takes slots over: one failing here would fail them too (the slot
      // stays watched until it is healthy, or another process has run it).
      const watch = this.supervisor.state === 'healthy' ? this.watch.earliest() : undefined;
      const takeOver = watch !== undefined && watch.at < this.planned.at;
      const due = takeOver ? watch.at : this.planned.at;
      // A run's end the database refused is written again within a probe interval, not at the next run (maybe an hour away).
      const retryCloseAt = this.ledger.hasPending ? this.o.clock.now() + this.o.recovery.probeInterval : Infinity;
      if (retryCloseAt < due) {
        if (await this.sleepUntil(retryCloseAt)) await this.ledger.flush(this.stateRow());
        continue;
      }
      if (!(await this.sleepUntil(due))) continue;
      try {
        if (takeOver) {
          this.watch.delete(watch.slot);
          await this.takeOver(watch.slot);
        } else if (await this.allowedToAct()) {
          const step = this.planned;
          if (step.kind === 'probe') await this.probe();
          else if (step.kind === 'run') await this.attempt(slotStart(step.scheduledFor ?? this.o.clock.now(), this.o.instance.intervalMs), true);
        }
      } catch (err) {
        this.o.logger.error({ err }, 'runtime error in the instance loop; trying again after the probe interval');
        this.planned = { kind: 'run', at: this.o.clock.now() + this.o.recovery.probeInterval, reason: 'retry', scheduledFor: null };
      }
    }
    // Stopping: a refused close gets a last chance, so a clean stop leaves no run `running`.
    await this.ledger.flush(this.stateRow());
  }

  /**
   * Picks up from collector_state what belongs to the instance rather than to a process: a
   * person's `disabled` flag, the schedule (next run time), the adaptive interval and the last
   * run and success times. Health (state, consecutive failures, last error) is this process's
   * own and starts fresh: the row is shared by every process running the instance, so the
   * failures in it may be another process's (inheriting them let one failure of ours suspend us
   * at once), and a restarted process should try its dependencies at once rather than sit out a
   * suspension; if a dependency is still down it is suspended again after failureThreshold quick
   * retries. The adaptive interval is kept: it answers the load on the shared database and API
   * budget, which every process sees alike, and it shrinks back as runs succeed.
   */
  private async resume(): Promise<void> {
    const now = this.o.clock.now();
    const saved = await this.o.records.loadState(this.name).catch((err: unknown) => {
      this.o.logger.warn({ err: errorMessage(err) }, 'could not read collector_state; starting fresh');
      return undefined;
    });
    if (!saved) return;
    if (saved.disabled) this.supervisor = new Supervisor(this.name, this.o.recovery, { state: 'disabled' });
    this.schedule.restore(saved);
    this.lastRunAt = saved.lastRunAt;
    this.lastSuccessAt = saved.lastSuccessAt;
    if (saved.nextRunAt !== null && saved.nextRunAt > now) this.planned = this.schedule.at(Math.min(saved.nextRunAt, now + this.schedule.intervalMs));
  }

  /** Honours the disabled flag a person sets; false when the instance must not act now. */
  private async allowedToAct(): Promise<boolean> {
    const now = this.o.clock.now();
    const disabled = await this.o.records.isDisabled(this.name).catch(() => this.supervisor.state === 'disabled');
    if (disabled) {
      const transition = this.supervisor.disable(now);
      this.planned = { kind: 'check-disabled', at: now + this.o.recovery.probeInterval };
      if (transition) {
        this.report(transition);
        await this.saveState();
      }
      return false;
    }
    if (this.supervisor.state === 'disabled' || this.planned.kind === 'check-disabled') {
      this.report(this.supervisor.enable(now));
      this.planned = { kind: 'run', at: now, reason: 'start', scheduledFor: null };
    }
    return true;
  }

  private async probe(): Promise<void> {
    const sentAt = this.o.clock.now();
    const result = await probeOnce(this.probeToUse(), this.o.clock, this.o.recovery.probeInterval);
    const { transition, next } = this.supervisor.probed(this.o.clock.now(), result.ok, result.detail, sentAt);
    this.o.logger.debug({ ok: result.ok, detail: result.detail }, 'probe');
    this.planned = next.action === 'run' ? { kind: 'run', at: next.at, reason: 'resume', scheduledFor: null } : { kind: 'probe', at: next.at };
    if (transition) {
      this.report(transition);
      await this.saveState();
    }
  }

  private probeToUse(): Probe {
    const blamed = this.supervisor.snapshot().lastFailureClass;
    if (blamed === 'db-locked' || blamed === 'db-down') return this.o.probes.database;
    if (blamed === 'api-down' || blamed === 'api-rate-limit') return this.o.probes.api;
    return this.o.probes[this.o.instance.dependsOn];
  }

  private async takeOver(slot: number): Promise<void> {
    const now = this.o.clock.now();
    // A claim that could not be read now (the database busy or down) is looked at again later, not forgotten.
    const claim: ClaimResult = await this.o.records.claimSlot(this.name, slot, now, now + this.o.recovery.claimTimeout).catch(() => ({ won: false, holder: 'unknown', retakeAt: Infinity }));
    if (!claim.won) {
      this.watch.add(slot, claim, now);
      this.servedElsewhere(slot, claim.finishedAt);
      return;
    }
    this.o.logger.warn({ slot: new Date(slot).toISOString() }, 'took over a slot another process left unfinished (its run failed, or its claim expired)');
    await this.attempt(slot, false, { runId: claim.runId, started: now });
  }

  /**
   * Claims the slot and runs it; `replan` is false for a taken-over slot (the schedule stays).
   *
   * The claim is a lease of recovery.claimTimeout, renewed by the run's heartbeat through the
   * write queue's urgent lane, so a busy queue in this process cannot let it expire under a
   * running run. It does not cover the run's whole time limit: a killed process must lose its
   * slot within the claim timeout. If it expires anyway (the machine stalled, the database was
   * locked longer than the lease) and another process takes the slot, the heartbeat sees it and
   * this run stops (abandoned), and a run that finishes anyway is recorded as abandoned.
   */
  private async attempt(slot: number, replan: boolean, claimed?: { runId: number; started: number }): Promise<void> {
    const { clock, records, recovery, instance } = this.o;
    if (this.hung) {
      this.o.logger.warn('waiting for the previous, hung run to end before starting another');
      await this.hung;
      this.hung = undefined;
    }
    await this.ledger.flush(this.stateRow());
    const started = claimed?.started ?? clock.now();
    let runId: number;
    if (claimed) runId = claimed.runId;
    else {
      try {
        const claim = await records.claimSlot(this.name, slot, started, started + recovery.claimTimeout);
        if (!claim.won) {
          this.o.logger.debug({ slot: new Date(slot).toISOString(), holder: claim.holder }, 'slot already claimed by another instance');
          this.watch.add(slot, claim, started);
          this.servedElsewhere(slot, claim.finishedAt);
          if (replan) this.planned = this.schedule.after(slot);
          return;
        }
        runId = claim.runId;
      } catch (err) {
        await this.afterFailure(err, started, slot, replan);
        return;
      }
    }
    this.watch.delete(slot);
    this.running = true;
    this.lastRunAt = started;
    const renewEveryMs = Math.max(1, Math.floor(recovery.claimTimeout / 3));
    const result = await executeRun({
      instance, runId, clock, logger: this.o.logger, timeoutMs: recovery.runTimeout, stopSignal: this.o.stopSignal,
      graceMs: Math.min(recovery.probeInterval, recovery.runTimeout),
      heartbeat: {
        everyMs: renewEveryMs, retryMs: Math.min(renewEveryMs, recovery.probeInterval),
        beat: () => records.renewClaim(this.name, slot, clock.now() + recovery.claimTimeout),
      },
    });
    this.running = false;
    if (result.ok) return this.afterSuccess(runId, started, slot, replan, result.summary);
    if (result.hung) this.hung = result.hung;
    if (result.claimLost) {
      // Not a failure of this instance: its health and interval stay as they are.
      this.o.logger.warn({ slot: new Date(slot).toISOString() }, 'another process took this run\'s expired slot claim over; the run stopped and left the slot to it');
      if (replan) this.planned = this.schedule.after(slot);
      const row = { ...this.ledger.row(runId, slot, clock.now(), 'abandoned', result.summary), error: errorMessage(result.error), claim: 'release' as const };
      return this.ledger.close(row, started, this.stateRow());
    }
    if (result.interrupted) {
      this.o.logger.info('run interrupted by shutdown; its slot is released for another instance');
      const row = { ...this.ledger.row(runId, slot, clock.now(), 'failed', result.summary), error: 'interrupted by shutdown', claim: 'release' as const };
      return this.ledger.close(row, started, this.stateRow());
    }
    await this.afterFailure(result.error, started, slot, replan, runId, result.summary);
  }

  /**
   * Another process completed the slot at `finishedAt`: the instance's data is that fresh, so this
   * process's last success (its status, the data-stale and availability alerts) follows it instead
   * of ageing while the other processes win every claim. Its own health is left as it is.
   */
  private servedElsewhere(slot: number, finishedAt: number | undefined): void {
    if (finishedAt === undefined || (this.lastSuccessAt !== null && finishedAt <= this.lastSuccessAt)) return;
    this.lastSuccessAt = finishedAt;
    this.o.events.emitSlotServed({ instance: this.name, slot, at: finishedAt });
  }

  private async afterSuccess(runId: number, started: number, slot: number, replan: boolean, summary: RunSummary): Promise<void> {
    const at = this.o.clock.now();
    this.lastSuccessAt = at;
    this.report(this.supervisor.succeeded(at));
    this.schedule.record('ok');
    if (replan) this.planned = this.schedule.after(slot);
    this.o.logger.info({ rowsWritten: summary.rowsWritten, rejected: summary.rejected, durationMs: at - started }, 'run succeeded');
    await this.ledger.close(this.ledger.row(runId, slot, at, 'ok', summary), started, this.stateRow());
  }

  private async afterFailure(error: unknown, started: number, slot: number, replan: boolean, runId?: number, summary?: RunSummary): Promise<void> {
    const at = this.o.clock.now();
    // A call this process refused itself (its open breaker) saw nothing: news of the API up from
    // before it still counts. A failure dates from when it was seen, not from the run's end.
    const seenAt = failureSeenAt(error, at);
    if (!refusedLocally(error)) this.lastFailedAt = seenAt;
    // A driver error from a read outside the write policy (a refused connection while PostgreSQL
    // restarts) is the database's failure, not a bug: classified as the write policy would.
    const failureClass = classifyDbError(error) ?? classifyFailure(error);
    const message = errorMessage(error);
    const { transition, next } = this.supervisor.failed(at, failureClass, message);
    // The state the failure left (the transition, if any, is logged next): one line tells what happened and what it did.
    const state = this.supervisor.state;
    if (failureClass === 'bug') this.o.logger.error({ err: error, failureClass, state }, 'run failed with an unexpected error (a bug)');
    else this.o.logger.warn({ failureClass, error: message, state }, 'run failed');
    this.report(transition);
    this.schedule.record(failureClass === 'db-locked' || failureClass === 'api-rate-limit' ? 'contended' : 'failed');
    if (next.action === 'probe') this.planned = { kind: 'probe', at: next.at };
    else if (replan && this.schedule.nextAfter(slot) <= next.at) this.planned = this.schedule.after(slot);
    else this.planned = { kind: 'run', at: next.at, reason: 'retry', scheduledFor: null };
    // The failed slot is released, not finished: any process may run it again — the first whose
    // dependency answers, rather than only this one, which may be suspended for a while.
    const row = { ...this.ledger.row(runId ?? -1, slot, at, 'failed', summary), error: message, failureClass, claim: 'release' as const };
    const news = refusedLocally(error) ? { refusedLocally: true as const } : seenAt < at ? { failureSeenAt: seenAt } : {};
    await this.ledger.close({ ...row, ...news }, started, this.stateRow());
    if (runId === undefined) await this.saveState();
  }

  private async saveState(): Promise<void> {
    await this.o.records.saveState(this.stateRow(), this.o.clock.now()).catch((err: unknown) => {
      this.o.logger.debug({ err: errorMessage(err) }, 'could not save collector_state now');
    });
  }

  private stateRow(): InstanceState {
    const s = this.supervisor.snapshot();
    const step = this.planned;
    return {
      name: this.name, state: s.state, consecutiveFailures: s.consecutiveFailures, intervalMs: this.schedule.intervalMs,
      configuredIntervalMs: this.o.instance.intervalMs, nextRunAt: step.kind === 'run' && step.scheduledFor !== null ? step.scheduledFor : step.at,
      lastRunAt: this.lastRunAt, lastSuccessAt: this.lastSuccessAt, lastError: s.lastError,
    };
  }

  private report(transition: Transition | undefined): void {
    if (!transition) return;
    const level = transition.to === 'suspended' ? 'error' : transition.to === 'degraded' ? 'warn' : 'info';
    this.o.logger[level]({ from: transition.from, to: transition.to, reason: transition.reason }, `state ${transition.from} → ${transition.to}`);
    this.o.events.emitTransition(transition);
  }

  /** False when stopped; true when the time came or something woke the loop early. */
  private async sleepUntil(at: number): Promise<boolean> {
    const ms = at - this.o.clock.now();
    if (this.o.stopSignal.aborted) return false;
    if (ms <= 0) return true;
    this.wakeUp = new AbortController();
    const { signal, release } = linkSignals(this.o.stopSignal, this.wakeUp.signal);
    await this.o.clock.sleep(ms, signal).catch(() => undefined);
    release();
    return !this.o.stopSignal.aborted && this.o.clock.now() >= at;
  }
}
