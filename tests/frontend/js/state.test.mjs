// The seat store without a browser: snapshots, versioned seats.changed, gaps, resyncs, holds.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { byPosition } from '../../../frontend/static/frontend/seatmap/state.js';
import {
  GAP_WAIT_MS,
  ME,
  OTHER,
  T0,
  booked,
  changed,
  free,
  held,
  iso,
  makeStore,
  seat,
  snapshot,
} from './helpers.mjs';

describe('snapshot, then changes in order', () => {
  test('a snapshot sets every seat, the version and the categories', () => {
    const { store, calls, status } = makeStore();
    store.applySnapshot(
      snapshot(5, [seat(1), seat(2, { status: 'booked' }), seat(3, { ...held(3, OTHER) })]),
    );
    assert.equal(store.version(), 5);
    assert.equal(calls.snapshots, 1);
    assert.deepEqual([1, 2, 3].map((id) => status(id)), ['available', 'booked', 'held']);
    assert.equal(store.category('standard').name, 'Standard');
    assert.equal(store.firstCategory().code, 'standard');
    assert.equal(store.hasSections(), false);
  });

  test('the next versions apply in order, each reporting the seats it changed', () => {
    const { store, status, calls } = makeStore();
    store.applySnapshot(snapshot(5));
    store.applyChanged(changed(6, [held(1), held(2)]));
    store.applyChanged(changed(7, [free(1)], 'released'));
    store.applyChanged(changed(8, [booked(3)], 'booked'));
    assert.equal(store.version(), 8);
    assert.deepEqual(calls.changes, [
      { version: 6, ids: [1, 2] },
      { version: 7, ids: [1] },
      { version: 8, ids: [3] },
    ]);
    // Absolute states: the latest message says what each seat is now.
    assert.deepEqual([1, 2, 3, 4].map((id) => status(id)), ['available', 'held', 'booked', 'available']);
  });

  test('a duplicate or older version is ignored, and is no gap either', () => {
    const { store, timers, calls, status, applied } = makeStore();
    store.applySnapshot(snapshot(5));
    store.applyChanged(changed(6, [held(1)]));
    store.applyChanged(changed(6, [free(1)], 'released')); // the same version again
    store.applyChanged(changed(5, [booked(2)], 'booked')); // already in the snapshot
    store.applyChanged(changed(3, [booked(2)], 'booked'));
    assert.deepEqual(applied(), [6]);
    assert.equal(store.version(), 6);
    assert.equal(status(1), 'held');
    assert.equal(status(2), 'available');
    timers.tick(10 * GAP_WAIT_MS);
    assert.equal(calls.resyncs, 0);
  });

  test("another event's messages are ignored", () => {
    const { store, status, calls } = makeStore();
    store.applySnapshot(snapshot(5));
    store.applyChanged(changed(6, [held(1)], 'held', { event: 2 }));
    store.applySnapshot(snapshot(9, [seat(1, { status: 'booked' })], { event: 2 }));
    assert.equal(store.version(), 5);
    assert.equal(status(1), 'available');
    assert.equal(calls.snapshots, 1);
  });

  test('a seat the snapshot did not have is skipped; the others still apply', () => {
    const { store, status, calls } = makeStore();
    store.applySnapshot(snapshot(5));
    store.applyChanged(changed(6, [held(99), held(2)]));
    assert.deepEqual(calls.changes, [{ version: 6, ids: [2] }]);
    assert.equal(status(2), 'held');
    assert.equal(store.get(99), undefined);
  });
});

describe('version gaps', () => {
  test('a jump by more than one is not applied, only kept', () => {
    const { store, status, applied } = makeStore();
    store.applySnapshot(snapshot(5));
    store.applyChanged(changed(7, [held(1)]));
    assert.deepEqual(applied(), []);
    assert.equal(store.version(), 5);
    assert.equal(status(1), 'available');
  });

  test('a gap that does not fill asks for a snapshot once, after the wait', () => {
    const { store, timers, calls } = makeStore();
    store.applySnapshot(snapshot(5));
    store.applyChanged(changed(7, [held(1)]));
    timers.tick(GAP_WAIT_MS - 1);
    assert.equal(calls.resyncs, 0, 'the missing version may still come');
    store.applyChanged(changed(8, [held(2)])); // more early ones do not restart the wait
    timers.tick(1);
    assert.equal(calls.resyncs, 1);
    timers.tick(10 * GAP_WAIT_MS);
    assert.equal(calls.resyncs, 1);
  });

  test('a gap that fills within the wait: both applied in order, no resync', () => {
    const { store, timers, calls, status, applied } = makeStore();
    store.applySnapshot(snapshot(5));
    store.applyChanged(changed(7, [free(1)], 'released'));
    store.applyChanged(changed(6, [held(1)]));
    assert.deepEqual(applied(), [6, 7]);
    assert.equal(store.version(), 7);
    assert.equal(status(1), 'available', 'v7 released what v6 held');
    timers.tick(10 * GAP_WAIT_MS);
    assert.equal(calls.resyncs, 0);
  });

  test('progress on a gap restarts the wait for the rest', () => {
    const { store, timers, calls, applied } = makeStore();
    store.applySnapshot(snapshot(5));
    store.applyChanged(changed(7, [held(2)]));
    store.applyChanged(changed(9, [held(4)]));
    timers.tick(800);
    store.applyChanged(changed(6, [held(1)])); // 6 and 7 apply; 8 is still missing
    assert.deepEqual(applied(), [6, 7]);
    timers.tick(GAP_WAIT_MS - 1);
    assert.equal(calls.resyncs, 0, 'a full wait from the progress, not from v7');
    timers.tick(1);
    assert.equal(calls.resyncs, 1);
  });

  test('frames that come while the resync is pending are replayed on top of the snapshot', () => {
    const { store, timers, calls, status, applied } = makeStore();
    store.applySnapshot(snapshot(5));
    store.applyChanged(changed(7, [held(1)])); // v6 was lost
    timers.tick(GAP_WAIT_MS);
    assert.equal(calls.resyncs, 1);
    store.applyChanged(changed(8, [held(2)]));
    store.applyChanged(changed(9, [booked(2)], 'booked'));
    assert.deepEqual(applied(), []);

    // The snapshot the page asked for is at v8: it already has v7 and v8 in it.
    store.applySnapshot(snapshot(8, [seat(1, held(1)), seat(2, held(2)), seat(3), seat(4)]));
    assert.deepEqual(applied(), [9], 'only what the snapshot did not have');
    assert.equal(store.version(), 9);
    assert.equal(status(2), 'booked');
    timers.tick(10 * GAP_WAIT_MS);
    assert.equal(calls.resyncs, 1, 'nothing left waiting');
  });

  test('frames that come before the first snapshot are replayed on top of it', () => {
    const { store, timers, calls, status, applied } = makeStore();
    store.applyChanged(changed(6, [held(1)]));
    store.applyChanged(changed(4, [booked(2)], 'booked')); // older than the snapshot
    assert.equal(store.version(), null);
    timers.tick(10 * GAP_WAIT_MS);
    assert.equal(calls.resyncs, 0, 'the snapshot is on its way anyway');

    store.applySnapshot(snapshot(5));
    assert.deepEqual(applied(), [6]);
    assert.equal(status(1), 'held');
    assert.equal(status(2), 'available');
    timers.tick(10 * GAP_WAIT_MS);
    assert.equal(calls.resyncs, 0);
  });

  test('a snapshot that covers the gap cancels the pending resync', () => {
    const { store, timers, calls, applied } = makeStore();
    store.applySnapshot(snapshot(5));
    store.applyChanged(changed(7, [held(1)]));
    store.applySnapshot(snapshot(7, [seat(1, held(1))])); // e.g. after a reconnect
    timers.tick(10 * GAP_WAIT_MS);
    assert.equal(calls.resyncs, 0);
    assert.deepEqual(applied(), []);
    assert.equal(store.version(), 7);
  });

  test('a gap still open after a snapshot starts a new wait', () => {
    const { store, timers, calls } = makeStore();
    store.applySnapshot(snapshot(5));
    store.applyChanged(changed(9, [held(1)]));
    timers.tick(GAP_WAIT_MS - 100);
    store.applySnapshot(snapshot(7)); // v8 is still missing
    timers.tick(GAP_WAIT_MS - 1);
    assert.equal(calls.resyncs, 0);
    timers.tick(1);
    assert.equal(calls.resyncs, 1);
  });
});

describe('holds: ours, others, and the clock', () => {
  const SOON = T0 + 30_000;
  const LATER = T0 + 60_000;

  function heldSnapshot() {
    return snapshot(5, [
      seat(1, held(1, ME, LATER)),
      seat(2, held(2, OTHER, SOON)),
      seat(3, { status: 'booked' }),
      seat(4),
    ]);
  }

  test('each seat shows as held by me, held, booked or available', () => {
    const { store, status } = makeStore();
    store.applySnapshot(heldSnapshot());
    assert.deepEqual([1, 2, 3, 4].map((id) => status(id)), ['held-by-me', 'held', 'booked', 'available']);
  });

  test('a hold whose time has passed by the clock shows as available', () => {
    const { store, status } = makeStore();
    store.applySnapshot(heldSnapshot());
    assert.equal(status(2, SOON - 1), 'held');
    assert.equal(status(2, SOON), 'available');
    assert.equal(status(1, SOON), 'held-by-me');
    assert.equal(status(1, LATER), 'available');
    assert.equal(store.get(2).status, 'held', "the server's word is kept until it speaks");
  });

  test('lapsed() reports each held seat once, when its time has passed', () => {
    const { store } = makeStore();
    store.applySnapshot(heldSnapshot());
    assert.deepEqual(store.lapsed(T0), []);
    assert.deepEqual(store.lapsed(SOON), [2]);
    assert.deepEqual(store.lapsed(SOON), [], 'once only');
    assert.deepEqual(store.lapsed(LATER), [1]);
    // Held again by a change: ticking again.
    store.applyChanged(changed(6, [held(2, OTHER, LATER + 1000)]));
    assert.deepEqual(store.lapsed(LATER + 1000), [2]);
  });

  test('myHold() is our live seats in plan order, ending with the latest of them', () => {
    const { store } = makeStore();
    // Row B curves: its seat 10 lies nearer the front than its seat 2.
    const inB = (number, y) => ({ row: 'B', number, label: `B${number}`, y });
    store.applySnapshot(
      snapshot(5, [
        seat(1, { ...held(1, ME, SOON), ...inB(10, 0.6), x: 3 }),
        seat(2, { ...held(2, ME, LATER), x: 9, y: 0.2 }),
        seat(3, { ...held(3, OTHER, LATER), x: 1, y: 0.2 }),
        seat(4, { ...held(4, ME, LATER), ...inB(2, 1.4), x: 2 }),
      ]),
    );
    const hold = store.myHold(T0);
    assert.deepEqual(hold.seats.map((s) => s.id), [2, 4, 1], 'rows front to back, seats by number');
    assert.equal(hold.until, LATER);
    assert.deepEqual(store.myHold(SOON).seats.map((s) => s.id), [2, 4], 'lapsed ones drop out');
    assert.deepEqual(store.myHold(LATER), { seats: [], until: null });
  });

  test('our seats follow the changes: held, released, expired, booked', () => {
    const { store } = makeStore();
    store.applySnapshot(snapshot(5));
    const mine = () => store.myHold(T0).seats.map((s) => s.id);
    store.applyChanged(changed(6, [held(1, ME), held(2, ME), held(3, OTHER)]));
    assert.deepEqual(mine(), [1, 2]);
    store.applyChanged(changed(7, [free(1)], 'released'));
    assert.deepEqual(mine(), [2]);
    store.applyChanged(changed(8, [booked(2)], 'booked'));
    assert.deepEqual(mine(), []);
    store.applyChanged(changed(9, [held(4, ME)]));
    store.applyChanged(changed(10, [free(4)], 'expired'));
    assert.deepEqual(mine(), []);
  });

  test('the extend limit comes with the snapshot or a reply, and ends with our hold', () => {
    const { store } = makeStore();
    const max = T0 + 240_000;
    store.applySnapshot(snapshot(5, [seat(1, held(1, ME)), seat(2)], { hold: { max_until: iso(max) } }));
    assert.equal(store.maxUntil(), max);
    store.setMaxUntil(null); // a reply without max_until changes nothing
    assert.equal(store.maxUntil(), max);
    store.setMaxUntil(max + 1000);
    assert.equal(store.maxUntil(), max + 1000);
    store.applyChanged(changed(6, [held(2, OTHER)]));
    assert.equal(store.maxUntil(), max + 1000, "someone else's hold is not ours");
    store.applyChanged(changed(7, [free(1)], 'expired'));
    assert.equal(store.maxUntil(), null, 'a new hold has a limit of its own');
  });

  test('a resync snapshot replaces everything, our holder id included', () => {
    const { store, status } = makeStore();
    store.applySnapshot(heldSnapshot());
    store.applySnapshot(
      snapshot(12, [seat(1, held(1, 'h_new')), seat(5, { x: 5, section: 'Balcony' })], {
        you: 'h_new',
        categories: [{ code: 'vip', name: 'VIP', price: '90.00', currency: 'EUR' }],
      }),
    );
    assert.equal(store.get(2), undefined, 'seats gone from the snapshot are gone');
    assert.equal(status(1), 'held-by-me');
    assert.equal(store.category('standard'), undefined);
    assert.equal(store.firstCategory().code, 'vip');
    assert.equal(store.hasSections(), true);
    assert.deepEqual(store.lapsed(SOON), [], "the old seat 2's hold went with it");
  });
});

test('byPosition orders seats row by row, then left to right', () => {
  const seats = [
    { id: 1, x: 2, y: 1 },
    { id: 2, x: 5, y: 0 },
    { id: 3, x: 1, y: 1 },
    { id: 4, x: 1, y: 0 },
  ];
  assert.deepEqual(seats.sort(byPosition).map((s) => s.id), [4, 2, 3, 1]);
});

describe('heartbeats and pongs carry the server version', () => {
  const beat = (version, event = 1) => ({ type: 'heartbeat', event, version, server_time: iso(T0) });

  test('a heartbeat at our version asks for nothing', () => {
    const { store, timers, calls } = makeStore();
    store.applySnapshot(snapshot(5));
    store.noteVersion(beat(5));
    timers.tick(10 * GAP_WAIT_MS);
    assert.equal(calls.resyncs, 0);
  });

  test('a heartbeat ahead of us resyncs once the gap wait is over', () => {
    const { store, timers, calls } = makeStore();
    store.applySnapshot(snapshot(5));
    store.noteVersion(beat(6)); // the seats.changed of v6 was lost
    timers.tick(GAP_WAIT_MS - 1);
    assert.equal(calls.resyncs, 0, 'v6 may still be on its way');
    timers.tick(1);
    assert.equal(calls.resyncs, 1);
  });

  test('the missing change arriving in time cancels the resync', () => {
    const { store, timers, calls, applied } = makeStore();
    store.applySnapshot(snapshot(5));
    store.noteVersion({ type: 'pong', event: 1, version: 6, server_time: iso(T0) });
    store.applyChanged(changed(6, [held(1)]));
    timers.tick(10 * GAP_WAIT_MS);
    assert.equal(calls.resyncs, 0);
    assert.deepEqual(applied(), [6]);
  });

  test("another event's heartbeat and a pong without a version are ignored", () => {
    const { store, timers, calls } = makeStore();
    store.applySnapshot(snapshot(5));
    store.noteVersion(beat(9, 2));
    store.noteVersion({ type: 'pong', server_time: iso(T0) });
    timers.tick(10 * GAP_WAIT_MS);
    assert.equal(calls.resyncs, 0);
  });
});

describe('a change of the seating plan', () => {
  test('asks for a snapshot at once, and a newer snapshot ends it', () => {
    const { store, calls } = makeStore();
    store.applySnapshot(snapshot(5));
    store.planChanged({ type: 'plan.changed', event: 1, version: 6 });
    assert.equal(calls.resyncs, 1);
    store.applySnapshot(snapshot(6));
    assert.equal(store.version(), 6);
    // The same change again (a heartbeat's worth later): the snapshot had it.
    store.planChanged({ type: 'plan.changed', event: 1, version: 6 });
    assert.equal(calls.resyncs, 1);
  });

  test("another event's plan change is not ours", () => {
    const { store, calls } = makeStore();
    store.applySnapshot(snapshot(5));
    store.planChanged({ type: 'plan.changed', event: 2, version: 9 });
    assert.equal(calls.resyncs, 0);
  });
});
