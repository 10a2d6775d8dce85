// Plan order for seat lists (seatmap/order.js), the twin of seats/ordering.py.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { naturalCompare, planOrder, rowRanks } from '../../../frontend/static/frontend/seatmap/order.js';

/** Seats 1-20 of a row on an arc: the middle ones furthest back, the ends nearest the front. */
function curvedRow(row, idsFrom, { section = '', front = 0 } = {}) {
  return Array.from({ length: 20 }, (_, i) => {
    const number = i + 1;
    return {
      id: idsFrom + number,
      section,
      row,
      number,
      label: `${row}${number}`,
      y: front + 100 - Math.abs(number - 10.5) * 5,
    };
  });
}

const where = (s) => `${s.section} ${s.row}${s.number}`;

test('natural order puts 2 before 10 and A2 before A10, case-blind', () => {
  const texts = ['10', '2', 'A10', 'a2', 'A1', 'B', '1'];
  assert.deepEqual(texts.sort(naturalCompare), ['1', '2', '10', 'A1', 'a2', 'A10', 'B']);
});

test('a curved row lists by number, not by position', () => {
  const row = curvedRow('A', 0);
  const byY = [...row].sort((a, b) => a.y - b.y || a.id - b.id);
  assert.notDeepEqual(byY.slice(0, 3).map((s) => s.number), [1, 2, 3]);
  const listed = [...row].reverse().sort(planOrder(rowRanks(row)));
  assert.deepEqual(
    listed.map((s) => s.number),
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
});

test('rows front to back by their mean y, sections kept together', () => {
  // The balcony was made first (lower ids) but sits behind the stalls; stalls row B's
  // ends are nearer the front than row A's middle.
  const balcony = curvedRow('A', 0, { section: 'Balcony', front: 800 });
  const stallsB = curvedRow('B', 100, { section: 'Stalls', front: 36 });
  const stallsA = curvedRow('A', 200, { section: 'Stalls', front: 0 });
  const ranks = rowRanks([...balcony, ...stallsB, ...stallsA]);
  assert.deepEqual([...ranks.keys()], ['Stalls\u0000A', 'Stalls\u0000B', 'Balcony\u0000A']);
  const chosen = [balcony[3], stallsB[0], stallsA[19], stallsA[9], stallsB[12]];
  assert.deepEqual(chosen.sort(planOrder(ranks)).map(where), [
    'Stalls A10',
    'Stalls A20',
    'Stalls B1',
    'Stalls B13',
    'Balcony A4',
  ]);
});

test('equal numbers fall back to labels, then ids; unknown rows come last', () => {
  const ranks = new Map([['\u0000A', 0]]);
  const seats = [
    { id: 3, section: '', row: 'A', number: 1, label: 'A1b' },
    { id: 2, section: '', row: 'A', number: 1, label: 'A1a' },
    { id: 1, section: '', row: 'A', number: 1, label: 'A1a' },
    { id: 0, section: '', row: 'Z', number: 1, label: 'Z1' },
  ];
  assert.deepEqual(seats.sort(planOrder(ranks)).map((s) => s.id), [1, 2, 3, 0]);
});
