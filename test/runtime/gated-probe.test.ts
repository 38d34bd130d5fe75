/**
 * GatedProbe's memory over a long outage: a caller whose answer has settled must not stay
 * reachable until the API comes back. (A probe answer once raced against one promise that lived
 * as long as the outage; at ×300 the soak's daemons grew by ~750 MB during a 2-minute outage.)
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ManualClock } from '../../src/lib/clock.ts';
import { GatedProbe, type Probe } from '../../src/runtime/probes.ts';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** A probe whose calls hang until the test fails them. */
function hangingProbe(): { probe: Probe; failNewest: (error: Error) => void } {
  const pending: ((error: Error) => void)[] = [];
  return {
    probe: () => new Promise<void>((_, reject) => void pending.push(reject)),
    failNewest: (error) => pending.pop()?.(error),
  };
}

/** Several callers wait on one hung call, which then fails with an error only they can still reach. */
async function answerCallersWithFailure(gated: GatedProbe, inner: ReturnType<typeof hangingProbe>): Promise<WeakRef<Error>> {
  const error = new Error('connect ECONNREFUSED 127.0.0.1:1');
  const answers = Array.from({ length: 10 }, () => gated.probe(AbortSignal.timeout(60_000)));
  await new Promise((resolve) => setImmediate(resolve));
  inner.failNewest(error);
  const outcomes = await Promise.allSettled(answers);
  assert.ok(outcomes.every((o) => o.status === 'rejected' && o.reason === error));
  return new WeakRef(error);
}

it('callers answered while the API stays down are not kept alive until it comes back', async () => {
  const clock = new ManualClock();
  const inner = hangingProbe();
  const gated = new GatedProbe(inner.probe, 30_000, clock);
  const first = await answerCallersWithFailure(gated, inner);
  // A later failed call becomes the newest evidence: nothing of ours needs the first error any more.
  await clock.advance(30_000);
  await answerCallersWithFailure(gated, inner);
  await new Promise((resolve) => setImmediate(resolve));
  collectGarbage();
  assert.equal(first.deref(), undefined, 'the first failed call is still reachable from the probe');
});

it('fresh news that the API is up answers at once, while an older probe call still hangs', async () => {
  const clock = new ManualClock();
  const inner = hangingProbe();
  const gated = new GatedProbe(inner.probe, 30_000, clock);
  const hung = gated.probe(AbortSignal.timeout(60_000));
  hung.catch(() => undefined);
  await new Promise((resolve) => setImmediate(resolve));
  await clock.advance(1_000);
  // Another instance's run called the API and succeeded: the API is up.
  gated.noteSuccess();
  await clock.advance(1_000);
  let answered = false;
  await Promise.race([gated.probe(AbortSignal.timeout(60_000)).then(() => (answered = true)), new Promise((resolve) => setImmediate(resolve))]);
  assert.equal(answered, true, 'the probe waited on the hung call instead of answering from the news');
  inner.failNewest(new Error('never answered'));
});
