/**
 * ApiAvailability: what the requests of a process show of whether the API answers — here, how
 * long an outage lasted when an answer (here or elsewhere) ends it, which the rate limiter's
 * catch-up after a long outage depends on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiUnavailableError } from '../../src/api/index.ts';
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
