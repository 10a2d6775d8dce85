// The side panel's buttons: which are usable for a given hold and request state.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { buttonStates } from '../../../frontend/static/frontend/seatmap/panel.js';

test('without seats nothing can be booked, extended or taken to checkout', () => {
  const states = buttonStates({ busy: false, holding: 0, atLimit: false });
  assert.deepEqual(states, {
    book: true,
    checkout: true,
    extend: true,
    extendNoteHidden: true,
  });
});

test('holding seats enables checkout and book, and extend until the limit', () => {
  assert.deepEqual(buttonStates({ busy: false, holding: 2, atLimit: false }), {
    book: false,
    checkout: false,
    extend: false,
    extendNoteHidden: true,
  });
  const atLimit = buttonStates({ busy: false, holding: 2, atLimit: true });
  assert.equal(atLimit.checkout, false);
  assert.equal(atLimit.extend, true);
  assert.equal(atLimit.extendNoteHidden, false);
});

test('a request under way disables every button', () => {
  const states = buttonStates({ busy: true, holding: 3, atLimit: false });
  assert.equal(states.book, true);
  assert.equal(states.checkout, true);
  assert.equal(states.extend, true);
});
