// Tables on the map and whole-table clicks, without a browser.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { tableAreas } from '../../../frontend/static/frontend/seatmap/tables.js';
import { makeStore, seat, snapshot } from './helpers.mjs';

test('a round table is a circle and a rectangular one a rectangle, both named', () => {
  const [round, long] = tableAreas([
    { key: 't1', name: 'Table 1', shape: 'round', x: 100, y: 50, radius: 20, booking: 'whole' },
    { key: 't2', name: 'Table 2', shape: 'rectangle', x: 0, y: 0, width: 60, height: 20 },
  ]);
  assert.deepEqual([round.shape, round.x, round.y, round.radius, round.text], ['circle', 100, 50, 20, 'Table 1']);
  assert.deepEqual([long.shape, long.x, long.y, long.width, long.height], ['rectangle', -30, -10, 60, 20]);
  assert.ok(round.text_size >= 6 && long.text_size >= 6);
});

test('a click on a seat at a table sold whole is about the whole table', () => {
  const { store } = makeStore();
  const at = (id, table) => seat(id, { table, row: table, section: 'Tables' });
  store.applySnapshot(
    snapshot(1, [seat(1), at(11, 't1'), at(12, 't1'), at(13, 't1'), at(21, 't2'), at(22, 't2')], {
      plan: {
        name: 'Club',
        width: 100,
        height: 100,
        areas: [],
        tables: [
          { key: 't1', name: 'Table 1', booking: 'whole' },
          { key: 't2', name: 'Table 2', booking: 'seats' },
        ],
      },
    }),
  );
  assert.deepEqual(store.groupOf(12), [11, 12, 13]);
  assert.deepEqual(store.groupOf(21), [21]);
  assert.deepEqual(store.groupOf(1), [1]);
});
