/**
 * ApiAvailability: what the requests of a process show of whether the API answers — here, how
 * long an outage lasted when an answer (here or elsewhere) ends it, which the rate limiter's
 * catch-up after a long outage depends on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiRateLimitError, ApiUnavailableError } from '../../src/api/index.ts';
import { ApiAvailability } from '../../src/api/availability.ts';

const down = (availability: ApiAvailability, sentAt: number): void => {
  const request = availability.send(sentAt);
  availability.failed(new ApiUnavailableError('GET /networks answered 503.', 'server-error', { endpoint: '/networks', status: 503, seenAt: sentAt }), sentAt);
  availability.settled(request);
};

test('the answer that ends an outage tells its length, from the first failed request sent to the answered one', () => {
  const availability = new ApiAvailability();
  const before = availability.send(0);
  assert.equal(availability.answered(before, true), undefined, 'an answer while nothing failed ends no outage');
  down(availability, 1_000);
  down(availability, 30_000);
  const probe = availability.send(95_000);
  assert.equal(availability.answered(probe, true), 94_000);
  assert.equal(availability.answered(availability.send(96_000), true), undefined, 'only the first answer ends it');
});

test('news from elsewhere ends an outage the same way, dated when the other process saw the API answer', () => {
  const availability = new ApiAvailability();
  assert.equal(availability.seenUp(5_000), undefined);
  down(availability, 10_000);
  assert.equal(availability.seenUp(40_000), 30_000);
  assert.equal(availability.seenUp(41_000), undefined);
});

const refused = (availability: ApiAvailability, sentAt: number): void => {
  const request = availability.send(sentAt);
  availability.answered(request, false);
  availability.rateLimited(new ApiRateLimitError('GET /networks was refused with 429 Too Many Requests.', { endpoint: '/networks', status: 429 }), sentAt);
  availability.settled(request);
};

test('a 429 storm is told the same way: the answer with data that ends it (here or elsewhere) tells how long every request was refused', () => {
  const availability = new ApiAvailability();
  refused(availability, 2_000);
  refused(availability, 6_000);
  const refusedAgain = availability.send(9_000);
  assert.equal(availability.answered(refusedAgain, false), undefined, 'a 429 ends no storm');
  assert.equal(availability.answered(availability.send(80_000), true), 78_000, 'from the first refused request sent to the answered one');
  assert.equal(availability.answered(availability.send(81_000), true), undefined, 'only the first answer ends it');
  refused(availability, 100_000);
  assert.equal(availability.seenUp(170_000), 70_000, 'news from elsewhere ends it too');
  assert.equal(availability.seenUp(171_000), undefined);
});

test('the answer that ends a 429 storm (here or elsewhere) ends the retry waits, as the end of an outage does', () => {
  const availability = new ApiAvailability();
  const before = availability.backSignal;
  refused(availability, 1_000);
  assert.equal(before.aborted, false, 'a refusal wakes nobody');
  availability.answered(availability.send(5_000), true);
  assert.equal(before.aborted, true, 'an answer with data after a 429 does');
  const next = availability.backSignal;
  availability.answered(availability.send(6_000), true);
  assert.equal(next.aborted, false, 'an answer with nothing refused before it does not');
  refused(availability, 7_000);
  availability.seenUp(9_000);
  assert.equal(next.aborted, true, 'news from elsewhere does');
});
