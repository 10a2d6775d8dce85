// Box office mode: which actions a selection allows, and how a history entry reads.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  boxOfficeButtons,
  historyLine,
} from '../../../frontend/static/frontend/seatmap/boxoffice.js';

test('nothing selected: nothing to do', () => {
  const off = boxOfficeButtons([]);
  assert.equal(off.sell, true);
  assert.equal(off.block, true);
  assert.equal(off.unblock, true);
  assert.equal(off.release, true);
  assert.equal(off.clear, true);
});

test('free, blocked and held seats can be sold (the server refuses a customer hold); a booked one stops the sale', () => {
  assert.equal(boxOfficeButtons(['available', 'blocked']).sell, false);
  assert.equal(boxOfficeButtons(['available', 'held']).sell, false);
  assert.equal(boxOfficeButtons(['booked']).sell, true);
  assert.equal(boxOfficeButtons(['held', 'booked']).sell, true);
});

test('only free seats can be kept for someone', () => {
  assert.equal(boxOfficeButtons([]).keep, true);
  assert.equal(boxOfficeButtons(['available', 'available']).keep, false);
  assert.equal(boxOfficeButtons(['available', 'held']).keep, true);
  assert.equal(boxOfficeButtons(['available', 'blocked']).keep, true);
  assert.equal(boxOfficeButtons(['booked']).keep, true);
});

test('block needs no booked or blocked seat; unblock and release need one of theirs', () => {
  assert.equal(boxOfficeButtons(['available', 'held']).block, false);
  assert.equal(boxOfficeButtons(['available', 'booked']).block, true);
  assert.equal(boxOfficeButtons(['available', 'blocked']).unblock, false);
  assert.equal(boxOfficeButtons(['available']).unblock, true);
  assert.equal(boxOfficeButtons(['held', 'available']).release, false);
  assert.equal(boxOfficeButtons(['available']).release, true);
});

test('only booked seats can have their sale cancelled', () => {
  assert.equal(boxOfficeButtons(['booked', 'booked']).cancel, false);
  assert.equal(boxOfficeButtons(['booked', 'available']).cancel, true);
  assert.equal(boxOfficeButtons([]).cancel, true);
});

test('a history line says when, what, who and why', () => {
  const staff = { at: '2026-11-27T10:01:02.000Z', kind: 'blocked', staff: 'ann', holder: 's_ann', note: 'sound desk' };
  assert.equal(historyLine(staff), '10:01:02 blocked by ann: sound desk');
  const customer = { at: '2026-11-27T10:05:00.000Z', kind: 'held', staff: null, holder: 'h_x', note: null };
  assert.equal(historyLine(customer), '10:05:00 held (h_x)');
});
