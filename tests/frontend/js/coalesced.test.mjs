// Coalesced seats.changed (from_version..version): applied as one step, gaps still caught.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { firstVersion } from '../../../frontend/static/frontend/seatmap/state.js';
import {
  GAP_WAIT_MS,
  booked,
  changed,
  free,
  held,
  makeStore,
  snapshot,
} from './helpers.mjs';

const range = (from, to, seats, reason = 'held') =>
  changed(to, seats, reason, { from_version: from, reasons: [reason] });

describe('coalesced changes', () => {
  test('a range that starts at the next version applies at once', () => {
    const { store, status, calls } = makeStore();
    store.applySnapshot(snapshot(5));
    store.applyChanged(range(6, 9, [held(1), booked(2)]));
    assert.equal(store.version(), 9);
    assert.deepEqual([1, 2].map((id) => status(id)), ['held', 'booked']);
    assert.equal(calls.resyncs, 0);
  });

  test('a range overlapping what we have applies too: its states are absolute', () => {
    const { store, status } = makeStore();
    store.applySnapshot(snapshot(7));
    store.applyChanged(range(6, 8, [free(1), held(3)]));
    assert.equal(store.version(), 8);
    assert.equal(status(3), 'held');
  });

  test('a range after a gap waits for the gap, then follows it', () => {
    const { store, timers, calls } = makeStore();
    store.applySnapshot(snapshot(5));
    store.applyChanged(range(8, 10, [held(2)]));
    assert.equal(store.version(), 5);
    store.applyChanged(range(6, 7, [held(1)]));
    assert.equal(store.version(), 10);
    timers.tick(10 * GAP_WAIT_MS);
    assert.equal(calls.resyncs, 0);
  });

  test('a range whose gap never fills ends in a resync', () => {
    const { store, timers, calls } = makeStore();
    store.applySnapshot(snapshot(5));
    store.applyChanged(range(8, 10, [held(2)]));
    timers.tick(2 * GAP_WAIT_MS);
    assert.equal(calls.resyncs, 1);
  });

  test('a range already covered by the snapshot is ignored', () => {
    const { store, status } = makeStore();
    store.applySnapshot(snapshot(10));
    store.applyChanged(range(6, 9, [booked(1)]));
    assert.equal(store.version(), 10);
    assert.equal(status(1), 'available');
  });

  test('firstVersion reads from_version, or the version of a single change', () => {
    assert.equal(firstVersion(range(3, 6, [])), 3);
    assert.equal(firstVersion(changed(4, [])), 4);
  });
});
