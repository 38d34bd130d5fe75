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

  it('stretches ×1.5 when more than 10% of the window of runs were contended', () => {
    const intervals = feed(['ok', 'ok', 'ok', 'contended', 'contended']);
    assert.equal(intervals.at(-1), 90_000);
  });

  it('one contended run never stretches, however few runs were made since the last change', () => {
    // Five runs with one 429 are 20 % of the runs made, but 10 % of the window.
    assert.equal(feed(['ok', 'ok', 'ok', 'ok', 'contended']).at(-1), 60_000);
    // A sporadic 429 every tenth run, for 200 runs: the interval stays where it is.
    const sporadic = Array.from({ length: 200 }, (_, i): RunOutcome => (i % 10 === 9 ? 'contended' : 'ok'));
    assert.deepEqual([...new Set(feed(sporadic))], [60_000]);
    // Stretched, a 429 every twentieth run lets it come back (a window holding one does not relax it).
    const rarer = Array.from({ length: 200 }, (_, i): RunOutcome => (i % 20 === 19 ? 'contended' : 'ok'));
    assert.equal(feed(rarer, { intervalMs: 240_000, recent: [] }).at(-1), 60_000);
  });

  it('judges fresh runs after each change and stops at configured × maxFactor', () => {
    const intervals = feed(Array<RunOutcome>(40).fill('contended'));
    assert.deepEqual([...new Set(intervals)], [60_000, 90_000, 135_000, 202_500, 240_000]);
  });

  it('comes back ÷1.5 per window of steady success — one window undoes one stretch — never below the configured interval', () => {
    const stretched = { intervalMs: 240_000, recent: [] };
    const intervals = feed(Array<RunOutcome>(40).fill('ok'), stretched);
    assert.equal(intervals[4], 160_000);
    // From the 4× cap back to the configured interval in four windows of five runs.
    assert.deepEqual([...new Set(intervals)], [240_000, 160_000, 106_667, 71_111, 60_000]);
    assert.equal(intervals.indexOf(60_000), 19);
    assert.ok(intervals.every((ms) => ms >= 60_000));
    // A stretch then a clean window: back where it was.
    assert.equal(feed([...Array<RunOutcome>(3).fill('ok'), 'contended', 'contended', ...Array<RunOutcome>(5).fill('ok')]).at(-1), 60_000);
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
