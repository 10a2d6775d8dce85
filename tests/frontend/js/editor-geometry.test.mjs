// The plan editor's geometry: rows, arcs, blocks, aisles, numbering, row names, point maths.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  arcRow,
  block,
  letters,
  numbers,
  rotate,
  rowNames,
  slots,
  snap,
  straightRow,
  translate,
} from '../../../frontend/static/frontend/editor/geometry.js';

const close = (a, b, eps = 0.01) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);
const dist = (p, q) => Math.hypot(p.x - q.x, p.y - q.y);

describe('rows', () => {
  test('a straight row runs from its start along its angle, spacing apart', () => {
    assert.deepEqual(straightRow({ x: 10, y: 20, count: 3, spacing: 30 }), [
      { x: 10, y: 20 },
      { x: 40, y: 20 },
      { x: 70, y: 20 },
    ]);
    const down = straightRow({ x: 0, y: 0, count: 2, spacing: 10, angle: 90 });
    close(down[1].x, 0);
    close(down[1].y, 10);
  });

  test('an aisle skips seat positions after the seats it names', () => {
    assert.deepEqual(slots(6, [2, 4]), [0, 1, 3, 4, 6, 7]);
    assert.deepEqual(slots(4, [2], 2), [0, 1, 4, 5]);
    // An aisle after the last seat (or before the first) is no aisle.
    assert.deepEqual(slots(3, [3, 0]), [0, 1, 2]);
    const row = straightRow({ count: 4, spacing: 30, aisles: [2] });
    assert.deepEqual(row.map((p) => p.x), [0, 30, 90, 120]);
  });

  test('an arc row keeps its seats on the circle, spacing apart along it, left to right', () => {
    const row = arcRow({ cx: 500, cy: 0, radius: 300, startAngle: 100, count: 5, spacing: 30 });
    for (const p of row) close(Math.hypot(p.x - 500, p.y), 300);
    for (let i = 1; i < row.length; i++) {
      // A chord is a little shorter than its arc.
      close(dist(row[i], row[i - 1]), 2 * 300 * Math.sin(30 / 300 / 2), 0.02);
      assert.ok(row[i].x > row[i - 1].x);
    }
  });
});

describe('blocks', () => {
  test('a straight block: rows rowGap apart, the front row centred on the point', () => {
    const rows = block({ x: 100, y: 50, rows: 3, seatsPerRow: 5, spacing: 20, rowGap: 25 });
    assert.equal(rows.length, 3);
    assert.deepEqual(rows[0].map((p) => p.x), [60, 80, 100, 120, 140]);
    assert.deepEqual(rows.map((r) => r[0].y), [50, 75, 100]);
  });

  test('a curved block: concentric arcs growing outward, front middle at the point', () => {
    const rows = block({ x: 400, y: 200, rows: 10, seatsPerRow: 9, spacing: 30, rowGap: 32, shape: 'arc', radius: 300 });
    assert.equal(rows.length, 10);
    const centre = { x: 400, y: -100 };
    close(rows[0][4].x, 400);
    close(rows[0][4].y, 200);
    rows.forEach((row, r) => {
      for (const p of row) close(dist(p, centre), 300 + 32 * r);
      // The middle seat is straight behind the stage's centre; the ends curve forward.
      assert.ok(row[0].y < row[4].y && row[8].y < row[4].y);
      close(row[0].x - 400, 400 - row[8].x);
    });
  });

  test('a block turned about its point, with an aisle in every row', () => {
    const rows = block({ x: 0, y: 0, rows: 2, seatsPerRow: 4, spacing: 10, rowGap: 10, aisles: [2], angle: 90 });
    // Turned a quarter clockwise: the front row now runs top to bottom.
    assert.deepEqual(rows[0].map((p) => p.x), [0, 0, 0, 0]);
    assert.deepEqual(rows[0].map((p) => p.y), [-20, -10, 10, 20]);
    assert.deepEqual(rows[1].map((p) => p.x), [-10, -10, -10, -10]);
  });
});

describe('numbering', () => {
  test('left to right and right to left, from a start', () => {
    assert.deepEqual(numbers(4), ['1', '2', '3', '4']);
    assert.deepEqual(numbers(4, { scheme: 'ltr', start: 101 }), ['101', '102', '103', '104']);
    assert.deepEqual(numbers(4, { scheme: 'rtl' }), ['4', '3', '2', '1']);
    assert.deepEqual(numbers(3, { scheme: 'rtl', start: 10 }), ['12', '11', '10']);
  });

  test('odd on one side of the centre aisle, even on the other, counting outward', () => {
    assert.deepEqual(numbers(6, { scheme: 'odd-even' }), ['5', '3', '1', '2', '4', '6']);
    assert.deepEqual(numbers(5, { scheme: 'odd-even' }), ['5', '3', '1', '2', '4']);
    assert.deepEqual(numbers(4, { scheme: 'odd-even', oddSide: 'right' }), ['4', '2', '1', '3']);
    assert.deepEqual(numbers(4, { scheme: 'odd-even', start: 11 }), ['13', '11', '12', '14']);
  });

  test('row names: letters past Z, skipped letters, numbers, a start', () => {
    assert.deepEqual([0, 25, 26, 27, 51, 52, 701, 702].map(letters), ['A', 'Z', 'AA', 'AB', 'AZ', 'BA', 'ZZ', 'AAA']);
    assert.deepEqual(rowNames(3, { start: 'Y' }), ['Y', 'Z', 'AA']);
    assert.deepEqual(rowNames(4, { start: 'H', skip: ['I'] }), ['H', 'J', 'K', 'L']);
    assert.deepEqual(rowNames(3, { style: 'numbers', start: 7 }), ['7', '8', '9']);
    assert.equal(rowNames(28).at(-1), 'AB');
  });
});

describe('points', () => {
  test('rotate about a centre, translate, snap to a grid', () => {
    const [p] = rotate([{ x: 20, y: 10 }], 90, { x: 10, y: 10 });
    close(p.x, 10);
    close(p.y, 20);
    const [q] = rotate([{ x: 20, y: 10 }], -90, { x: 10, y: 10 });
    close(q.y, 0);
    assert.deepEqual(translate([{ x: 1, y: 2 }], 10, -5), [{ x: 11, y: -3 }]);
    assert.deepEqual(snap({ x: 14, y: 16 }, 10), { x: 10, y: 20 });
    assert.equal(snap(-7, 5), -5);
    assert.equal(snap(13.3, 0), 13.3);
  });
});
