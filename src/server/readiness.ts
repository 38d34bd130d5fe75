import { errorMessage } from '../lib/errors.ts';
import type { Store } from '../store/index.ts';
import type { Readiness } from './app.ts';

/**
 * `/readyz`: the database answers, its migrations are current, and (in a daemon) the scheduler
 * is running. `scheduler` is omitted where no scheduler belongs (e.g. a read-only server).
 */
export async function readiness(store: Store, scheduler?: () => boolean): Promise<Readiness> {
  const checks: Readiness['checks'] = {};
  const probe = await store.probe();
  checks.database = probe.ok ? { ok: true, detail: `${probe.dialect} answered in ${probe.latencyMs} ms` } : { ok: false, detail: probe.error ?? 'the database did not answer' };
  try {
    const pending = await store.pendingMigrations();
    checks.migrations = pending.length ? { ok: false, detail: `pending: ${pending.join(', ')}; run gtc migrate` } : { ok: true, detail: 'current' };
  } catch (error) {
    checks.migrations = { ok: false, detail: errorMessage(error) };
  }
  if (scheduler) checks.scheduler = scheduler() ? { ok: true, detail: 'running' } : { ok: false, detail: 'not running' };
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}
