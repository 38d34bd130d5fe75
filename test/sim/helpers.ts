import { readFileSync } from 'node:fs';
import { ManualClock } from '../../src/lib/clock.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/index.ts';

export const FIXTURES = new URL('../../../shared/fixtures/geckoterminal/', import.meta.url);
export const START = Date.UTC(2025, 8, 1, 12, 0, 0);

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
}

export function fixtureText(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

/** A simulator on a ManualClock at START, unlimited unless the test says otherwise. */
export async function manualSim(options: SimulatorOptions = {}): Promise<{ sim: Simulator; clock: ManualClock }> {
  const clock = new ManualClock(START);
  const sim = await startSimulator({ clock, requestsPerMinute: 0, poolsPerNetwork: 20, seed: 'test', ...options });
  return { sim, clock };
}

export async function getText(sim: Simulator, path: string, init?: RequestInit): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(`${sim.url}${path}`, init);
  return { status: response.status, text: await response.text(), headers: response.headers };
}

export async function getJson<T = Record<string, unknown>>(sim: Simulator, path: string): Promise<{ status: number; body: T }> {
  const { status, text } = await getText(sim, path);
  return { status, body: JSON.parse(text) as T };
}

export async function admin(sim: Simulator, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${sim.adminUrl}${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The busiest and a quiet pool of the market (by configured rate), at least `minAgeMs` old. */
export function poolsByRate(sim: Simulator, network = 'solana', minAgeMs = 0): { busiest: string; quiet: string } {
  const pools = sim.market.truth
    .pools()
    .filter((p) => p.network === network && p.createdAt <= sim.clock.now() - minAgeMs)
    .sort((a, b) => b.tradesPerDay - a.tradesPerDay);
  const quiet = pools.filter((p) => p.tradesPerDay > 5 && p.tradesPerDay < 100).at(-1) ?? pools.at(-1);
  return { busiest: (pools[0] as { address: string }).address, quiet: (quiet as { address: string }).address };
}

const WINDOW_KEY = /^(m\d+|h\d+)$/;

/** JSON type of a value, with strings classified (decimal, time, other) since their form is the contract. */
function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') {
    if (/^-?\d+(\.\d+)?$/.test(value)) return 'string:decimal';
    if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(value)) return 'string:time';
    return 'string';
  }
  return typeof value;
}

/**
 * Structure of a JSON document: path → set of types. Array elements share one path (`[]`),
 * window keys (m5…h24) are one key (`*`) because the API's windows vary by era.
 */
export function shapeOf(value: unknown, path = '$', out = new Map<string, Set<string>>()): Map<string, Set<string>> {
  const types = out.get(path) ?? new Set<string>();
  types.add(typeOf(value));
  out.set(path, types);
  if (Array.isArray(value)) for (const item of value) shapeOf(item, `${path}[]`, out);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) shapeOf(item, `${path}.${WINDOW_KEY.test(key) ? '*' : key}`, out);
  }
  return out;
}

/**
 * Differences between a simulator response's shape and a fixture's: paths missing from the
 * simulator, types it uses that the fixture never does (null is fine where the fixture has a
 * decimal: the API sends null prices; anything is fine where the fixture only has null), and —
 * when `exact` — paths the fixture does not have.
 */
export function shapeDifferences(sim: unknown, real: unknown, exact: boolean): string[] {
  const simShape = shapeOf(sim);
  const realShape = shapeOf(real);
  const problems: string[] = [];
  for (const [path, realTypes] of realShape) {
    const simTypes = simShape.get(path);
    if (!simTypes) {
      problems.push(`missing ${path}`);
      continue;
    }
    for (const type of simTypes) {
      // A fixture that only ever has null there says nothing about the type.
      const onlyNull = realTypes.size === 1 && realTypes.has('null');
      const allowed = realTypes.has(type) || onlyNull || (type === 'null' && realTypes.has('string:decimal'));
      if (!allowed) problems.push(`${path}: simulator sends ${type}, real API ${[...realTypes].join('|')}`);
    }
  }
  if (exact) for (const path of simShape.keys()) if (!realShape.has(path)) problems.push(`extra ${path}`);
  return problems;
}
