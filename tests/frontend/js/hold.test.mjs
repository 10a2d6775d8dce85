// The hold watch on top of the store: expiry notices (pushed or by the clock) and the warning.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { expiredText, warningText } from '../../../frontend/static/frontend/common/texts.js';
import { createHoldWatch } from '../../../frontend/static/frontend/seatmap/hold.js';
import { ME, OTHER, T0, changed, free, held, makeStore, seat, snapshot } from './helpers.mjs';

const UNTIL = T0 + 120_000;

/** A watch over a store where we hold seat 1 (until UNTIL) and someone else seat 2. */
function watching() {
  const { store } = makeStore();
  store.applySnapshot(snapshot(5, [seat(1, held(1, ME, UNTIL)), seat(2, held(2, OTHER, UNTIL))]));
  const said = [];
  const shown = { countdown: null, limit: null };
  const panel = {
    showHold() {},
    showCountdown: (left, warning) => (shown.countdown = { left, warning }),
    setExtendLimit: (reached) => (shown.limit = reached),
  };
  const watch = createHoldWatch(store, panel, (text) => said.push(text), 300);
  /** Apply a seats.changed as the page does: store first, then the watch. */
  const push = (msg, now) => {
    store.applyChanged(msg);
    watch.changed(msg, msg.seats.map((s) => s.id));
    watch.refresh(now);
  };
  return { watch, said, shown, push };
}

test('an expiry pushed by the server for our seats is announced once', () => {
  const { watch, said, push } = watching();
  watch.refresh(T0);
  push(changed(6, [free(1)], 'expired'), T0 + 1000);
  assert.deepEqual(said, [expiredText()]);
  watch.refresh(UNTIL + 1000); // the clock catches up: no second notice
  assert.deepEqual(said, [expiredText()]);
});

test('a push that lands just after the clock ran out is announced once', () => {
  const { watch, said, push } = watching();
  watch.refresh(T0);
  push(changed(6, [free(1)], 'expired'), UNTIL + 200); // no clock tick in between
  assert.deepEqual(said, [expiredText()]);
});

test("an expiry of someone else's seats says nothing to us", () => {
  const { watch, said, push } = watching();
  watch.refresh(T0);
  push(changed(6, [free(2)], 'expired'), T0 + 1000);
  assert.deepEqual(said, []);
});

test('releasing our own seats is not an expiry', () => {
  const { watch, said, push } = watching();
  watch.refresh(T0);
  push(changed(6, [free(1)], 'released'), T0 + 1000);
  assert.deepEqual(said, []);
});

test('the clock running out announces the expiry once, before the server confirms', () => {
  const { watch, said, push } = watching();
  watch.refresh(T0);
  watch.refresh(UNTIL);
  assert.deepEqual(said, [expiredText()]);
  push(changed(6, [free(1)], 'expired'), UNTIL + 200);
  assert.deepEqual(said, [expiredText()]);
});

test('the warning comes once, when a minute is left', () => {
  const { watch, said, shown } = watching();
  watch.refresh(T0);
  assert.deepEqual(shown.countdown, { left: 120_000, warning: false });
  watch.refresh(UNTIL - 60_000);
  watch.refresh(UNTIL - 59_000);
  assert.deepEqual(said, [warningText()]);
  assert.deepEqual(shown.countdown, { left: 59_000, warning: true });
});
