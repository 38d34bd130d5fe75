import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { initialAdaptiveState, recordOutcome, type AdaptiveParams, type RunOutcome } from '../../src/runtime/adaptive-interval.ts';

const params: AdaptiveParams = { configuredMs: 60_000, maxFactor: 4, window: 10, minSamples: 5 };

function feed(outcomes: RunOutcome[], start = initialAdaptiveState(params)): number[] {
  const intervals: number[] = [];
  let state = start;
  for (const o of outcomes) {
    state = recordOutcome(state, o, params);
    intervals.push(state.intervalMs);
  }
  return intervals;
}

describe('adaptive interval', () => {
  it('needs a few runs before deciding anything', () => {
    assert.deepEqual(feed(['contended', 'contended', 'contended', 'contended']), [60_000, 60_000, 60_000, 60_000]);
  });

  it('stretches ×1.5 when more than 10% of recent runs were contended', () => {
    const intervals = feed(['ok', 'ok', 'ok', 'ok', 'contended']);
    assert.equal(intervals.at(-1), 90_000);
  });

  it('judges fresh runs after each change and stops at configured × maxFactor', () => {
    const intervals = feed(Array<RunOutcome>(40).fill('contended'));
    assert.deepEqual([...new Set(intervals)], [60_000, 90_000, 135_000, 202_500, 240_000]);
  });

  it('comes back ×0.9 on steady success, never below the configured interval', () => {
    const stretched = { intervalMs: 240_000, recent: [] };
    const intervals = feed(Array<RunOutcome>(200).fill('ok'), stretched);
    assert.equal(intervals[4], 216_000);
    assert.equal(intervals.at(-1), 60_000);
    assert.ok(intervals.every((ms) => ms >= 60_000));
  });

  it('a persisted interval outside the bounds is clamped back into them', () => {
    assert.equal(initialAdaptiveState(params, 10).intervalMs, 60_000);
    assert.equal(initialAdaptiveState(params, 10_000_000).intervalMs, 240_000);
  });

  it('always stays within [configured, configured × maxFactor]', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<RunOutcome>('ok', 'contended', 'failed'), { maxLength: 300 }), fc.integer({ min: 1, max: 3_600_000 }), fc.double({ min: 1, max: 10, noNaN: true }), (outcomes, configuredMs, maxFactor) => {
        const p = { configuredMs, maxFactor };
        let state = initialAdaptiveState(p);
        for (const o of outcomes) {
          state = recordOutcome(state, o, p);
          assert.ok(state.intervalMs >= configuredMs && state.intervalMs <= Math.round(configuredMs * maxFactor));
        }
      }),
    );
  });
});
