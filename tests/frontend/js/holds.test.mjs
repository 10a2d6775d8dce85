// The dashboard's running-holds table: whom the box office keeps seats for, and until when.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { heldForText } from '../../../frontend/static/frontend/dashboard/tables.js';

test('seats kept for someone name them and the time they are kept until', () => {
  const hold = { held_for: 'Mrs Smith, phoning back', expires_at: '2026-12-05T19:07:05.000Z' };
  assert.equal(heldForText(hold), 'Mrs Smith, phoning back, until Sat 5 Dec 2026, 19:07');
});

test("a customer's hold has nobody to name", () => {
  assert.equal(heldForText({ held_for: null, expires_at: '2026-12-05T19:07:05.000Z' }), '');
  assert.equal(heldForText({ expires_at: '2026-12-05T19:07:05.000Z' }), '');
});
