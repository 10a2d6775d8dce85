// The dashboard's history on open: each change shown once, whichever way it came, and a chart
// summary that names every reason.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { REASONS } from '../../../frontend/static/frontend/dashboard/activity.js';
import { summaryText } from '../../../frontend/static/frontend/dashboard/chart.js';
import { createSeenChanges } from '../../../frontend/static/frontend/dashboard/seen.js';

test('a change is first once, by its event and version', () => {
  const seen = createSeenChanges();
  assert.equal(seen.first({ event: 1, version: 7 }), true);
  assert.equal(seen.first({ event: 1, version: 7 }), false);
  assert.equal(seen.first({ event: 2, version: 7 }), true);
  assert.equal(seen.first({ event: 1, version: 8 }), true);
});

test('the memory is bounded: the oldest keys are forgotten first', () => {
  const seen = createSeenChanges(2);
  seen.first({ event: 1, version: 1 });
  seen.first({ event: 1, version: 2 });
  seen.first({ event: 1, version: 3 });
  assert.equal(seen.first({ event: 1, version: 3 }), false);
  assert.equal(seen.first({ event: 1, version: 1 }), true);
});

test('the summary names every reason it counts, and never "undefined"', () => {
  const sums = Object.fromEntries(REASONS.map((r, i) => [r, i + 1]));
  const text = summaryText(sums, 9);
  assert.doesNotMatch(text, /undefined/);
  for (const reason of REASONS) assert.match(text, new RegExp(`\\d+ ${reason}\\b`));
  assert.equal(
    summaryText({ ...Object.fromEntries(REASONS.map((r) => [r, 0])), booked: 2 }, 2),
    'Seats in the last 5 minutes: 2 booked. Busiest second: 2.',
  );
  assert.equal(summaryText(Object.fromEntries(REASONS.map((r) => [r, 0])), 0), 'No changes in the last 5 minutes.');
});
