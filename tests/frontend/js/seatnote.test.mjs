// Where a refusal's note goes next to its seat: above it, centred, inside the map's frame.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { notePlace } from '../../../frontend/static/frontend/seatmap/seatnote.js';

const frame = { width: 390, height: 300 };
const size = { width: 120, height: 40 };

test('a note sits centred above its seat', () => {
  const place = notePlace({ left: 190, top: 150, width: 10, height: 10 }, size, frame);
  assert.deepEqual(place, { left: 135, top: 104, below: false });
});

test('near the top of the frame it goes below the seat', () => {
  const place = notePlace({ left: 190, top: 20, width: 10, height: 10 }, size, frame);
  assert.deepEqual(place, { left: 135, top: 36, below: true });
});

test('near either side it is kept inside the frame', () => {
  assert.equal(notePlace({ left: 2, top: 150, width: 10, height: 10 }, size, frame).left, 4);
  assert.equal(notePlace({ left: 380, top: 150, width: 10, height: 10 }, size, frame).left, 266);
});

test('a note wider than the frame starts at its margin', () => {
  const wide = { width: 500, height: 40 };
  assert.equal(notePlace({ left: 100, top: 150, width: 10, height: 10 }, wide, frame).left, 4);
});
