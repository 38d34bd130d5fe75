import type http from 'node:http';
import type { Clock, ScaledClock } from '../lib/clock.ts';
import { FaultSpecError, type FaultController, type FaultSpec } from './faults.ts';
import type { SlidingWindowLimiter } from './rate-limit.ts';
import type { Stats } from './stats.ts';

/**
 * The simulator's control API under /__admin (never rate limited, faulted or counted):
 *   GET  /__admin/faults            → { fault }
 *   POST /__admin/faults            { mode, durationMs?, retryAfterS?, delayMs?, rate?, paths?, status?, variant? }
 *   GET  /__admin/stats             → { total, byStatus, byRoute, recent }
 *   POST /__admin/stats/reset
 *   GET  /__admin/clock             → { now, iso, speed, injected }
 *   POST /__admin/clock             { advanceMs } | { speed }   (409 on an injected clock)
 *   POST /__admin/rate-limit        { requestsPerMinute, keyedRequestsPerMinute? }
 */
export interface AdminDeps {
  faults: FaultController;
  stats: Stats;
  clock: Clock;
  /** Present when the simulator owns its clock (no injected Clock). */
  scaledClock: ScaledClock | undefined;
  publicLimiter: SlidingWindowLimiter;
  keyedLimiter: SlidingWindowLimiter;
}

class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 65_536) throw new AdminError(413, 'body too large');
  }
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AdminError(400, 'body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AdminError(400, 'body must be a JSON object');
  return value as Record<string, unknown>;
}

function optionalNumber(body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new AdminError(400, `${key} must be a number`);
  return value;
}

async function route(deps: AdminDeps, req: http.IncomingMessage, path: string): Promise<unknown> {
  const key = `${req.method ?? 'GET'} ${path.replace(/\/$/, '')}`;
  switch (key) {
    case 'GET /__admin/faults':
      return { fault: deps.faults.current() };
    case 'POST /__admin/faults':
      try {
        return { fault: deps.faults.set((await readJson(req)) as unknown as FaultSpec) };
      } catch (error) {
        if (error instanceof FaultSpecError) throw new AdminError(400, error.message);
        throw error;
      }
    case 'GET /__admin/stats':
      return deps.stats.snapshot();
    case 'POST /__admin/stats/reset':
      deps.stats.reset();
      return { ok: true };
    case 'GET /__admin/clock':
      return clockState(deps);
    case 'POST /__admin/clock': {
      const body = await readJson(req);
      if (!deps.scaledClock) throw new AdminError(409, 'the simulator runs on an injected clock; move that clock instead');
      const advanceMs = optionalNumber(body, 'advanceMs');
      const speed = optionalNumber(body, 'speed');
      if (advanceMs === undefined && speed === undefined) throw new AdminError(400, 'give advanceMs or speed');
      try {
        if (advanceMs !== undefined) deps.scaledClock.advance(advanceMs);
        if (speed !== undefined) deps.scaledClock.setSpeed(speed);
      } catch (error) {
        throw new AdminError(400, (error as Error).message);
      }
      return clockState(deps);
    }
    case 'POST /__admin/rate-limit': {
      const body = await readJson(req);
      const perMinute = optionalNumber(body, 'requestsPerMinute');
      const keyed = optionalNumber(body, 'keyedRequestsPerMinute');
      if ((perMinute ?? 0) < 0 || (keyed ?? 0) < 0) throw new AdminError(400, 'limits must be >= 0');
      if (perMinute !== undefined) deps.publicLimiter.setLimit(perMinute);
      if (keyed !== undefined) deps.keyedLimiter.setLimit(keyed);
      return { requestsPerMinute: deps.publicLimiter.limit, keyedRequestsPerMinute: deps.keyedLimiter.limit };
    }
    default:
      throw new AdminError(404, `no admin endpoint ${key}`);
  }
}

function clockState(deps: AdminDeps): Record<string, unknown> {
  const now = deps.clock.now();
  return { now, iso: new Date(now).toISOString(), speed: deps.scaledClock?.speed ?? null, injected: !deps.scaledClock };
}

export async function handleAdmin(deps: AdminDeps, req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
  let status = 200;
  let body: unknown;
  try {
    body = await route(deps, req, path);
  } catch (error) {
    status = error instanceof AdminError ? error.status : 500;
    body = { error: (error as Error).message };
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
