// The dashboard's activity buffer: seats per reason per second, cancellations included.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { REASONS, createActivityBuffer } from '../../../frontend/static/frontend/dashboard/activity.js';

test('every reason is counted in its second, unknown ones are ignored', () => {
  const buffer = createActivityBuffer(10);
  buffer.add(5_000, 'held', 2);
  buffer.add(5_500, 'cancelled', 3);
  buffer.add(5_900, 'teleported', 7);
  const last = buffer.window(5_999).at(-1);
  assert.equal(last.held, 2);
  assert.equal(last.cancelled, 3);
  assert.equal(REASONS.reduce((sum, r) => sum + last[r], 0), 5);
});
