// Seats kept for a sales channel, as the map judges them: not on sale unless unlocked, until
// the channel's release time by the server's clock; the code form's wording.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { expandSnapshot } from '../../../frontend/static/frontend/seatmap/layoutdoc.js';
import { presaleText } from '../../../frontend/static/frontend/seatmap/presale.js';
import { keptText } from '../../../frontend/static/frontend/seatmap/render.js';
import { createSeatStore } from '../../../frontend/static/frontend/seatmap/state.js';
import { T0, iso, makeStore, seat, snapshot } from './helpers.mjs';

const PRESALE = { id: 7, name: 'Members presale', releases_at: null };

function kept(channels, unlocked = []) {
  return snapshot(3, [seat(1, { channel: 7 }), seat(2, { channel: null }), seat(3)], {
    channels,
    channels_unlocked: unlocked,
  });
}

describe('kept seats', () => {
  test('are not on sale to a viewer who has not unlocked the channel', () => {
    const { store, status } = makeStore();
    store.applySnapshot(kept([PRESALE]));
    assert.deepEqual([1, 2, 3].map((id) => status(id)), ['blocked', 'available', 'available']);
    assert.deepEqual(store.keptBy(store.get(1), T0), { id: 7, name: 'Members presale', unlocked: false });
    assert.equal(keptText(store.keptBy(store.get(1), T0)), 'kept for Members presale');
    assert.deepEqual(store.unlockedChannels(T0), []);
  });

  test('are ordinary seats with a marker for a viewer who unlocked it', () => {
    const { store, status } = makeStore();
    store.applySnapshot(kept([PRESALE], [7]));
    assert.equal(status(1), 'available');
    assert.equal(store.keptBy(store.get(1), T0).unlocked, true);
    assert.deepEqual(store.unlockedChannels(T0), [{ id: 7, name: 'Members presale' }]);
    assert.equal(keptText(store.keptBy(store.get(1), T0)), 'Members presale seat');
  });

  test('return to general sale at the release time, reported once', () => {
    const { store, status } = makeStore();
    store.applySnapshot(kept([{ ...PRESALE, releases_at: iso(T0 + 60_000) }]));
    assert.equal(status(1, T0 + 59_999), 'blocked');
    assert.deepEqual(store.released(T0 + 59_999), []);
    assert.equal(status(1, T0 + 60_000), 'available');
    assert.deepEqual(store.released(T0 + 60_000), [1]);
    assert.deepEqual(store.released(T0 + 61_000), []);
    assert.equal(store.keptBy(store.get(1), T0 + 60_000), null);
  });

  test('held or booked keep their status', () => {
    const { store, status } = makeStore();
    store.applySnapshot(
      snapshot(3, [seat(1, { channel: 7, status: 'booked' })], { channels: [PRESALE] }),
    );
    assert.equal(status(1), 'booked');
  });

  test('are on sale to staff at the box office', () => {
    const store = createSeatStore({
      eventId: '1',
      requestSnapshot() {},
      onSnapshot() {},
      onChange() {},
      staff: true,
    });
    store.applySnapshot(kept([PRESALE]));
    assert.equal(store.uiStatus(store.get(1), T0), 'available');
  });
});

test('a live snapshot brings the channels from the layout and what the viewer unlocked', () => {
  const layout = { seats: [{ id: 1, channel: 7 }], plan: null, channels: [PRESALE] };
  const live = { event: 1, version: 2, held: [], booked: [], blocked: [], channels_unlocked: [7] };
  const full = expandSnapshot(live, layout);
  assert.deepEqual(full.channels, [PRESALE]);
  assert.deepEqual(full.channels_unlocked, [7]);
  assert.equal(full.seats[0].channel, 7);
  // An older server: none of it, nothing kept.
  const old = expandSnapshot({ event: 1, version: 2 }, { seats: [{ id: 1 }] });
  assert.deepEqual([old.channels, old.channels_unlocked], [[], []]);
});

test('the code form says what happened', () => {
  assert.equal(
    presaleText(200, { type: 'channel.unlocked', channel: { name: 'Members presale' } }),
    'Unlocked: Members presale. Loading its seats…',
  );
  assert.equal(
    presaleText(400, { code: 'wrong_code', message: 'That code does not open anything.' }),
    'That code does not open anything.',
  );
  assert.equal(presaleText(0, null), 'That did not work; please try again.');
});
