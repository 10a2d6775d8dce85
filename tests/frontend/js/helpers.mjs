// Builders for the seat store's tests: server messages as the wire carries them, a fake clock.

import { createSeatStore } from '../../../frontend/static/frontend/seatmap/state.js';

export const EVENT = 1;
export const ME = 'h_me';
export const OTHER = 'h_other';
export const T0 = Date.parse('2030-01-01T12:00:00Z');
export const GAP_WAIT_MS = 1000;

export const iso = (ms) => new Date(ms).toISOString();

/** setTimeout/clearTimeout on a clock that only moves when the test calls tick(ms). */
export function fakeTimers() {
  let now = 0;
  let nextId = 1;
  const due = new Map(); // id -> { at, fn }
  return {
    setTimeout(fn, ms = 0) {
      const id = nextId++;
      due.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(id) {
      due.delete(id);
    },
    /** Run every timer due within the next `ms`, earliest first. */
    tick(ms) {
      const end = now + ms;
      for (;;) {
        let first = null;
        for (const [id, timer] of due) {
          if (timer.at <= end && (first === null || timer.at < due.get(first).at)) first = id;
        }
        if (first === null) break;
        const { at, fn } = due.get(first);
        due.delete(first);
        now = at;
        fn();
      }
      now = end;
    },
  };
}

/** One seat as the snapshot lists it: row A, numbered left to right, available. */
export function seat(id, fields = {}) {
  return {
    id,
    label: `A${id}`,
    section: 'Stalls',
    row: 'A',
    number: id,
    x: id,
    y: 0,
    category: 'standard',
    status: 'available',
    holder: null,
    held_until: null,
    ...fields,
  };
}

export function snapshot(version, seats = [1, 2, 3, 4].map((id) => seat(id)), fields = {}) {
  return {
    type: 'snapshot',
    event: EVENT,
    version,
    you: ME,
    server_time: iso(T0),
    hold: { max_until: null },
    categories: [{ code: 'standard', name: 'Standard', price: '40.00', currency: 'EUR' }],
    seats,
    ...fields,
  };
}

export function changed(version, seats, reason = 'held', fields = {}) {
  return { type: 'seats.changed', event: EVENT, version, reason, seats, ...fields };
}

/** Absolute seat states as seats.changed carries them. */
export const held = (id, holder = OTHER, until = T0 + 60_000) => ({
  id,
  status: 'held',
  holder,
  held_until: iso(until),
});
export const free = (id) => ({ id, status: 'available', holder: null, held_until: null });
export const booked = (id) => ({ id, status: 'booked', holder: null, held_until: null });

/**
 * A store for event 1 (its id a string, as the page's data attribute gives it) that
 * records what it asks of the page: resyncs, snapshots applied, changes applied.
 */
export function makeStore() {
  const timers = fakeTimers();
  const calls = { resyncs: 0, snapshots: 0, changes: [] };
  const store = createSeatStore({
    eventId: String(EVENT),
    requestSnapshot: () => calls.resyncs++,
    onSnapshot: () => calls.snapshots++,
    onChange: (msg, ids) => calls.changes.push({ version: msg.version, ids }),
    timers,
  });
  const status = (id, now = T0) => store.uiStatus(store.get(id), now);
  const applied = () => calls.changes.map((c) => c.version);
  return { store, timers, calls, status, applied };
}
