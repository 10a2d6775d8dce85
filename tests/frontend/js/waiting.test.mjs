// The waiting page's wording of the estimated wait.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { waitText } from '../../../frontend/static/frontend/waiting/texts.js';

test('the estimate reads in words, and says when the sale is paused', () => {
  assert.equal(waitText(null, false), 'unknown');
  assert.equal(waitText(30, false), 'under a minute');
  assert.equal(waitText(70, false), 'about a minute');
  assert.equal(waitText(600, false), 'about 10 minutes');
  assert.equal(waitText(600, true), 'paused for now');
});
