// Standing areas in the seat store and on the map's captions, without a browser.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  leftText,
  standingCounts,
  standingLabel,
} from '../../../frontend/static/frontend/seatmap/standing.js';
import { ME, OTHER, T0, changed, free, held, makeStore, seat, snapshot } from './helpers.mjs';

const FLOOR = { key: 'floor', name: 'Floor', capacity: 4, category: 'standing' };

/** Seats 1-2, and places 11-14 of the floor. */
function club() {
  const places = [11, 12, 13, 14].map((id) =>
    seat(id, { area: 'floor', label: `Floor ${id - 10}`, section: 'Floor', row: '', number: id - 10 }),
  );
  return snapshot(1, [seat(1), seat(2), ...places], {
    plan: { name: 'Club', width: 100, height: 100, areas: [], standing: [FLOOR] },
  });
}

function counted(store, now = T0) {
  return standingCounts(store.places(), (place) => store.uiStatus(place, now)).get('floor');
}

describe('places in the store', () => {
  test('are kept apart from the seats, and still found by id', () => {
    const { store } = makeStore();
    store.applySnapshot(club());
    assert.deepEqual([...store.seats()].map((s) => s.id), [1, 2]);
    assert.deepEqual([...store.places()].map((p) => p.id), [11, 12, 13, 14]);
    assert.equal(store.get(12).label, 'Floor 2');
    assert.equal(store.isPlace(12), true);
    assert.equal(store.isPlace(1), false);
  });

  test('change with seats.changed, and count as ours when held by us', () => {
    const { store } = makeStore();
    store.applySnapshot(club());
    store.applyChanged(changed(2, [held(11, ME), held(12, ME), held(13, OTHER)]));
    assert.deepEqual(counted(store), { capacity: 4, available: 1, mine: 2 });
    assert.deepEqual(store.myHold(T0).seats.map((s) => s.id), [11, 12]);
    store.applyChanged(changed(3, [free(11)], 'released'));
    assert.deepEqual(counted(store), { capacity: 4, available: 2, mine: 1 });
  });

  test('a hold that ran out frees its places by the clock', () => {
    const { store } = makeStore();
    store.applySnapshot(club());
    store.applyChanged(changed(2, [held(11, OTHER, T0 + 1000)]));
    assert.equal(counted(store, T0).available, 3);
    assert.deepEqual(store.lapsed(T0 + 1000), [11]);
    assert.equal(counted(store, T0 + 1000).available, 4);
  });
});

describe('what the map and the form say', () => {
  test('places left, ours, and the price', () => {
    const label = standingLabel(FLOOR, { capacity: 4, available: 3, mine: 1 }, '25.00 EUR');
    assert.equal(label.caption, '3 left');
    assert.equal(label.name, 'Floor, standing: 3 of 4 places left, 1 held by you, 25.00 EUR each');
  });

  test('sold out', () => {
    const label = standingLabel(FLOOR, { capacity: 4, available: 0, mine: 0 });
    assert.equal(label.caption, 'Sold out');
    assert.equal(label.name, 'Floor, standing: sold out');
    assert.equal(leftText({ capacity: 4, available: 0 }), 'Sold out.');
    assert.equal(leftText({ capacity: 4, available: 2 }, '9.00 EUR'), '2 of 4 places left, 9.00 EUR each.');
  });
});

test('a kept seat whose hold ran out is not on sale to a viewer without the code', () => {
  const { store } = makeStore();
  store.applySnapshot(
    snapshot(1, [seat(1, { channel: 7 })], {
      channels: [{ id: 7, name: 'Members', releases_at: null }],
      channels_unlocked: [],
    }),
  );
  store.applyChanged(changed(2, [held(1, OTHER, T0 + 1000)]));
  assert.equal(store.uiStatus(store.get(1), T0), 'held');
  assert.equal(store.uiStatus(store.get(1), T0 + 1000), 'blocked');
});
