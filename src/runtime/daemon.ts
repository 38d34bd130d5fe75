/**
 * The daemon: one InstanceRunner per collector instance over one store, the probes, the events,
 * and the records of runs and state. `gtc start` and `gtc demo` build one; the server reads
 * `status()`; metrics and alerts subscribe to `events`.
 */
import type { ApiNews } from '../api/index.ts';
import type { CollectorInstance } from '../collectors/types.ts';
import { ConfigError, type GtcConfig } from '../config/index.ts';
import { systemClock, type Clock } from '../lib/clock.ts';
import { errorMessage, GtcError } from '../lib/errors.ts';
import { createLogger, type Logger } from '../lib/log.ts';
import type { Store } from '../store/index.ts';
import { markAbandonedRuns } from './abandoned-runs.ts';
import { pruneSlotClaimsPeriodically } from './claim-pruning.ts';
import { RuntimeEvents, type RunFinishedEvent, type TransitionEvent } from './events.ts';
import { InstanceRunner } from './instance-runner.ts';
import { GatedProbe, type UpNews } from './gated-probe.ts';
import type { Probe } from './probe.ts';
import { storeProbe } from './store-probe.ts';
import { watchDatabaseWhileDown } from './database-watch.ts';
import type { InstanceStatus } from './status.ts';
import type { RecoveryPolicy } from './supervisor.ts';
import { setCollectorDisabled, StoreRecords } from './store-records.ts';

export interface DaemonProbes {
  /** One cheap API call (e.g. the networks list); gated to one call per recovery.apiProbeInterval. */
  api: Probe;
  /**
   * Whether the API rate limiter has budget to spare now (nobody queued, not slowed by 429s).
   * When given, the API probe may call every recovery.apiProbeWhileDown while the API is down.
   */
  apiHasSpareBudget?: () => boolean;
  /** Defaults to the store's probe (SELECT 1 and taking the write lock): costs nothing. */
  database?: Probe;
  /**
   * The API was seen up again — also by news from another process sharing the database, which
   * this process's API client has not seen: e.g. close its circuit breaker, or the resumed runs
   * would be refused by it.
   */
  onApiUp?: (seenUpAt: number, news: UpNews) => void;
  /**
   * Subscribes to request-level news from the API client (ApiClient.onApiNews): a request that
   * found the API down, though its run goes on retrying, starts the look-out for other processes'
   * news (see GatedProbe.noteRequestFailure); the first answer after it is news that the API is up.
   */
  watchApi?: (listener: (news: ApiNews) => void) => void;
  /**
   * Processes with the same key share API news through the database (api.budgetKey: one IP, one
   * API): the first to see the API back tells the others. Without it, no news is shared.
   */
  apiNewsKey?: string;
}

export interface DaemonOptions {
  config: { recovery: GtcConfig['recovery'] & Pick<RecoveryPolicy, 'maxProbeDelay'> };
  store: Store;
  instances: readonly CollectorInstance[];
  probes: DaemonProbes;
  logger?: Logger;
  clock?: Clock;
  events?: RuntimeEvents;
  /** Upper bound of the random delay added to scheduled runs (default 30 s; also ≤ 10% of an interval). */
  jitterMaxMs?: number;
  random?: () => number;
  /** This process's id in slot_claims and collection_runs (default host:pid:random). */
  owner?: string;
  /** How long stop() waits for running runs to end before giving up on them (default 30 s). */
  shutdownGraceMs?: number;
}

export type DaemonState = 'created' | 'running' | 'stopping' | 'stopped';

export class Daemon {
  readonly events: RuntimeEvents;
  readonly owner: string;
  private readonly runners: InstanceRunner[];
  private readonly stopping = new AbortController();
  private readonly records: StoreRecords;
  /** The database probe, waking the instances waiting on the database when it passes. */
  private readonly databaseProbe: Probe;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private loops: Promise<void>[] = [];
  private current: DaemonState = 'created';

  constructor(private readonly options: DaemonOptions) {
    validateInstances(options.instances);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? createLogger();
    this.events = options.events ?? new RuntimeEvents(this.logger);
    this.records = new StoreRecords(options.store, options.owner);
    this.owner = this.records.owner;
    const recovery = options.config.recovery;
    const spare = options.probes.apiHasSpareBudget;
    const apiInstances = new Set(options.instances.filter((i) => i.dependsOn === 'api').map((i) => i.name));
    const newsKey = options.probes.apiNewsKey;
    const apiProbe = new GatedProbe(options.probes.api, recovery.apiProbeInterval, this.clock, {
      signal: this.stopping.signal, ...(spare ? { whileDownMs: recovery.apiProbeWhileDown, hasSpareBudget: spare } : {}),
      // Processes sharing the database share their news: another's mark, or its run that fetched data since the outage was seen.
      ...(newsKey === undefined ? {} : { sharedNews: (since: number) => this.records.seenUpByOthers(newsKey, [...apiInstances], since) }),
    });
    const probeDatabase = options.probes.database ?? storeProbe(options.store);
    const probes: { api: Probe; database: Probe } = {
      api: apiProbe.probe,
      // One instance seeing the database up is news for all: those suspended or degraded on it go now.
      database: async (signal) => {
        await probeDatabase(signal);
        this.wakeWaitingOn(probes.database, this.clock.now());
      },
    };
    // API runs are probes that cost no extra call: up when one succeeds, down when one finds it down
    // (not when this process's own breaker refused its calls: no request went out, no news).
    // Every run that succeeded wrote to the database (its claim at least): the database is up.
    this.events.onRunFinished((event) => {
      if (event.status === 'ok') this.wakeWaitingOn(probes.database, event.at);
      if (!apiInstances.has(event.instance)) return;
      if (event.status === 'ok' && event.apiCalls > 0) apiProbe.noteSuccess(event.at);
      else if ((event.failureClass === 'api-down' || event.failureClass === 'api-rate-limit') && !event.refusedLocally) {
        const seenAt = event.failureSeenAt ?? event.at;
        apiProbe.noteFailure(new GtcError(event.failureClass, `${event.instance} found the API ${event.failureClass === 'api-down' ? 'down' : 'refusing calls (429)'}`), seenAt);
        // Old news (the run's request went out before the API was seen up): retry now, not after a backoff.
        const upAt = apiProbe.seenUpSince(seenAt);
        if (upAt !== undefined) this.wakeWaitingOn(probes.api, upAt);
      }
    });
    this.databaseProbe = probes.database;
    this.runners = options.instances.map((instance) => new InstanceRunner({
      instance, records: this.records, clock: this.clock, logger: this.logger.child({ instance: instance.name }), events: this.events,
      recovery, probes, stopSignal: this.stopping.signal, jitterMaxMs: options.jitterMaxMs ?? 30_000, ...(options.random ? { random: options.random } : {}),
    }));
    // The API is back: every instance suspended or degraded on it goes now, not at its own next probe or retry.
    const { onApiUp, watchApi } = options.probes;
    if (onApiUp) apiProbe.onUp((seenUpAt, news) => onApiUp(seenUpAt, news));
    watchApi?.((news) => (news.up ? apiProbe.noteSuccess(news.at) : apiProbe.noteRequestFailure(news.error, news.at)));
    // Seen back here first: the processes still waiting read the mark within half a second.
    apiProbe.onUp((seenUpAt, news) => {
      if (news.shared || newsKey === undefined) return;
      this.records.markApiUp(newsKey, seenUpAt).catch((err: unknown) => this.logger.debug({ err: errorMessage(err) }, 'could not share the news that the API is up'));
    });
    apiProbe.onUp((seenUpAt) => this.wakeWaitingOn(probes.api, seenUpAt));
  }

  /** Instances suspended or degraded on `probe`'s dependency go now: it was seen up at `seenUpAt`. */
  private wakeWaitingOn(probe: Probe, seenUpAt: number): void {
    for (const runner of this.runners) runner.wakeIfWaitingOn(probe, seenUpAt);
  }

  get state(): DaemonState {
    return this.current;
  }

  /** Closes runs of dead processes as abandoned, then starts every instance's loop (first runs now) and the pruning of old slot claims. */
  async start(): Promise<void> {
    if (this.current !== 'created') throw new Error(`the daemon was already started (${this.current})`);
    this.current = 'running';
    const now = this.clock.now();
    try {
      const abandoned = await markAbandonedRuns(this.options.store, { owner: this.owner, now, runTimeoutMs: this.options.config.recovery.runTimeout });
      if (abandoned > 0) this.logger.warn({ abandoned }, 'runs left running by a stopped process were marked abandoned');
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, 'could not check for abandoned runs; continuing');
    }
    this.logger.info({ owner: this.owner, instances: this.runners.map((r) => r.name) }, 'scheduler started');
    this.loops = this.runners.map((runner) => runner.loop().catch((err: unknown) => {
      this.logger.error({ err, instance: runner.name }, 'instance loop ended with an error');
    }));
    this.loops.push(pruneSlotClaimsPeriodically({ store: this.options.store, clock: this.clock, logger: this.logger, signal: this.stopping.signal }));
    this.loops.push(watchDatabaseWhileDown({
      isDown: () => this.options.store.breakerOpenOn === 'db-down', probe: this.databaseProbe,
      clock: this.clock, everyMs: this.options.config.recovery.databaseProbeWhileDown, signal: this.stopping.signal,
    }));
  }

  /**
   * Stops new runs and aborts running runs' network waits; a write transaction in progress still
   * commits. Resolves when every run has ended (or after the grace period). The store stays open:
   * its owner closes it.
   */
  async stop(): Promise<void> {
    if (this.current === 'stopped' || this.current === 'stopping') return Promise.all(this.loops).then(() => undefined);
    this.current = 'stopping';
    this.logger.info('stopping: no new runs; waiting for running runs to end');
    this.stopping.abort(new Error('the daemon is stopping'));
    const grace = new AbortController();
    const graceMs = this.options.shutdownGraceMs ?? 30_000;
    const outcome = await Promise.race([
      Promise.all(this.loops).then(() => 'done' as const),
      this.clock.sleep(graceMs, grace.signal).then(() => 'timeout' as const, () => 'done' as const),
    ]);
    grace.abort();
    if (outcome === 'timeout') this.logger.error({ graceMs }, 'some runs did not end within the shutdown grace period');
    this.current = 'stopped';
    this.logger.info('scheduler stopped');
  }

  /** Every health-state change (same as events.onTransition); returns an unsubscribe function. */
  onTransition(listener: (event: TransitionEvent) => void): () => void {
    return this.events.onTransition(listener);
  }

  /** Every finished run (same as events.onRunFinished); returns an unsubscribe function. */
  onRunFinished(listener: (event: RunFinishedEvent) => void): () => void {
    return this.events.onRunFinished(listener);
  }

  /** The collectors array of design.md §8, one entry per instance. */
  status(): InstanceStatus[] {
    return this.runners.map((runner) => runner.status());
  }

  /** Disables or enables an instance (the flag in collector_state) and applies it at once here. */
  async setDisabled(name: string, disabled: boolean): Promise<void> {
    const runner = this.runners.find((r) => r.name === name);
    if (!runner) throw new ConfigError(`no collector instance named "${name}"; known: ${this.runners.map((r) => r.name).join(', ')}`);
    await setCollectorDisabled(this.options.store, name, disabled, this.clock.now());
    runner.recheck();
  }
}

export function createDaemon(options: DaemonOptions): Daemon {
  return new Daemon(options);
}

function validateInstances(instances: readonly CollectorInstance[]): void {
  const seen = new Set<string>();
  for (const instance of instances) {
    if (seen.has(instance.name)) throw new ConfigError(`two collector instances are named "${instance.name}"; instance names must be unique`);
    seen.add(instance.name);
    if (!Number.isInteger(instance.intervalMs / 1000) || instance.intervalMs < 1000) {
      throw new ConfigError(`collectors.${instance.collector}.interval must be a whole number of seconds (at least 1s); "${instance.name}" has ${instance.intervalMs} ms`);
    }
  }
}
