// Plan geometry of the seat map: spacing, boxes, outlines; areas, flags, colours and arrow keys.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { areaBounds, areaParts, areaTransform } from '../../../frontend/static/frontend/seatmap/areas.js';
import { flagWords, flagsOf } from '../../../frontend/static/frontend/seatmap/flags.js';
import {
  boundsOf,
  convexHull,
  hullPath,
  rowEnds,
  seatPitch,
  union,
  zonesOf,
} from '../../../frontend/static/frontend/seatmap/layout.js';
import { nearestSeat } from '../../../frontend/static/frontend/seatmap/nav.js';
import {
  categoryRules,
  contrast,
  isDark,
  parseColour,
  readableFill,
} from '../../../frontend/static/frontend/seatmap/palette.js';

function grid(rows, cols) {
  const seats = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      seats.push({ id: r * cols + c + 1, section: 'Stalls', row: String.fromCharCode(65 + r), x: c, y: r });
    }
  }
  return seats;
}

/** Rows curving towards the stage at their ends, 28 units apart, as pretix draws them. */
function curved(rows, cols, { section = 'Stalls', top = 100 } = {}) {
  const seats = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const offset = c - (cols - 1) / 2;
      seats.push({
        id: seats.length + 1,
        section,
        row: String(r + 1),
        x: 500 + offset * 28,
        y: top + r * 30 - 0.06 * offset * offset,
      });
    }
  }
  return seats;
}

describe('seat spacing', () => {
  test('a grid venue has one unit per seat', () => {
    assert.equal(seatPitch(grid(6, 12)), 1);
  });

  test('a plan has its own units; aisles do not count', () => {
    const seats = curved(4, 20);
    const pitch = seatPitch(seats);
    assert.ok(pitch > 28 && pitch < 28.2, `pitch ${pitch}`);
    // An aisle: the right half moved 3 seats further right.
    const aisled = seats.map((s) => (s.x > 500 ? { ...s, x: s.x + 84 } : s));
    assert.ok(Math.abs(seatPitch(aisled) - pitch) < 0.2);
  });

  test('with no row of two seats, one unit', () => {
    assert.equal(seatPitch([{ section: 'A', row: '1', x: 5, y: 5 }]), 1);
  });
});

describe('boxes and outlines', () => {
  test('bounds and unions', () => {
    assert.deepEqual(boundsOf([{ x: 1, y: 2 }, { x: -3, y: 5 }]), { x: -3, y: 2, width: 4, height: 3 });
    assert.equal(boundsOf([]), null);
    assert.deepEqual(union([null, { x: 0, y: 0, width: 1, height: 1 }, { x: 2, y: -1, width: 1, height: 1 }]), {
      x: 0,
      y: -1,
      width: 3,
      height: 2,
    });
  });

  test('the hull holds every seat and keeps only the corners', () => {
    const hull = convexHull(grid(3, 4));
    assert.deepEqual(
      hull.map((p) => [p.x, p.y]),
      [[0, 0], [3, 0], [3, 2], [0, 2]], // clockwise on screen (y grows down)
    );
    assert.equal(hullPath([{ x: 1, y: 1 }]), 'M1 1L1 1Z');
  });

  test('zones come front first, each with its box', () => {
    const seats = [...curved(2, 10, { section: 'Balcony', top: 600 }), ...curved(3, 10)];
    const zones = zonesOf(seats);
    assert.deepEqual(zones.map((z) => z.name), ['Stalls', 'Balcony']);
    assert.ok(zones[1].box.y > zones[0].box.y + zones[0].box.height);
  });

  test('each row has a first and a last seat', () => {
    const ends = rowEnds(grid(2, 5));
    assert.deepEqual(ends.map((e) => [e.row, e.first.x, e.last.x]), [['A', 0, 4], ['B', 0, 4]]);
  });
});

describe('areas', () => {
  test('a stage rectangle with its caption in the middle', () => {
    const parts = areaParts({ shape: 'rectangle', x: 400, y: 20, width: 400, height: 60, color: '#444444', text: 'STAGE' });
    assert.deepEqual(parts[0], { tag: 'rect', attrs: { x: 400, y: 20, width: 400, height: 60, fill: '#444444' } });
    assert.equal(parts[1].tag, 'text');
    assert.equal(parts[1].text, 'STAGE');
    assert.equal(parts[1].attrs.x, 600);
    assert.equal(parts[1].attrs.y, 50);
  });

  test('polygons, ellipses, circles and text; unknown shapes draw nothing', () => {
    const polygon = areaParts({ shape: 'polygon', x: 0, y: 0, points: [[0, 0], [10, 0], [5, 8]] });
    assert.equal(polygon[0].attrs.points, '0,0 10,0 5,8');
    assert.equal(areaParts({ shape: 'ellipse', x: 5, y: 6, rx: 3, ry: 2 })[0].tag, 'ellipse');
    assert.equal(areaParts({ shape: 'circle', x: 5, y: 6, radius: 3 })[0].attrs.r, 3);
    const text = areaParts({ shape: 'text', x: 5, y: 6, text: 'Bar', text_size: 20 });
    assert.deepEqual([text.length, text[0].tag, text[0].attrs['font-size']], [1, 'text', 20]);
    assert.deepEqual(areaParts({ shape: 'hexagon', x: 0, y: 0 }), []);
  });

  test('bounds follow the rotation', () => {
    const area = { shape: 'rectangle', x: 0, y: 0, width: 100, height: 10, rotation: 90 };
    assert.equal(areaTransform(area), 'rotate(90 0 0)');
    const box = areaBounds(area);
    assert.ok(Math.abs(box.x + 10) < 1e-9 && Math.abs(box.width - 10) < 1e-9, JSON.stringify(box));
    assert.ok(Math.abs(box.height - 100) < 1e-9);
    assert.deepEqual(areaBounds({ shape: 'circle', x: 10, y: 10, radius: 5 }), { x: 5, y: 5, width: 10, height: 10 });
  });
});

describe('seat features and colours', () => {
  test('flags in a fixed order and the words for them', () => {
    const seat = { wheelchair: false, companion_of: 7, restricted_view: true, note: 'behind a pillar' };
    assert.deepEqual(flagsOf(seat), ['companion', 'restricted']);
    assert.deepEqual(flagWords(seat, (id) => (id === 7 ? 'W1' : null)), [
      'companion seat for wheelchair space W1',
      'restricted view',
      'behind a pillar',
    ]);
    assert.deepEqual(flagWords({ wheelchair: true, companion_of: null }), ['wheelchair space']);
    assert.deepEqual(flagsOf({ companion_of: null }), []);
  });

  test('category colours become rules for free seats; unsafe values are left out', () => {
    const css = categoryRules([
      { code: 'premium', color: '#b8336a' },
      { code: 'standard', color: '' },
      { code: 'evil', color: 'red; } body { display: none' },
    ]);
    assert.match(css, /\.seat\[data-category="premium"\]\[data-status="available"\] rect, \.swatch-seat\[data-category="premium"\] rect \{ fill: #b8336a;/);
    assert.doesNotMatch(css, /standard|evil/);
    assert.equal(isDark('#b8336a'), true);
    assert.equal(isDark('#ffe08a'), false);
    assert.equal(isDark('rgb(20, 20, 20)'), true);
  });

  test('seat numbers read at 4.5:1 on every category colour, the hue kept', () => {
    for (const colour of ['#2980b9', '#16a085', '#8e44ad', '#ffe08a', '#777777', '#ff0000']) {
      const { fill, ink } = readableFill(colour);
      const ratio = contrast(parseColour(fill), parseColour(ink));
      assert.ok(ratio >= 4.5, `${colour} -> ${fill} under ${ink}: ${ratio.toFixed(2)}`);
    }
    // Colours that already read are kept as they are.
    assert.deepEqual(readableFill('#8e44ad'), { fill: '#8e44ad', ink: '#ffffff' });
    // A mid blue (3.9:1 under either ink) is darkened just enough for white.
    const blue = readableFill('#2980b9');
    assert.equal(blue.ink, '#ffffff');
    assert.notEqual(blue.fill, '#2980b9');
    assert.ok(contrast(parseColour(blue.fill), parseColour('#2980b9')) < 1.2);
    assert.equal(readableFill('not a colour'), null);
  });
});

describe('arrow keys on a plan', () => {
  test('left and right follow a curved row', () => {
    const seats = curved(3, 9);
    const middle = seats.find((s) => s.row === '2' && s.x === 500);
    const right = nearestSeat(seats, middle, 'ArrowRight');
    assert.deepEqual([right.row, right.x], ['2', 528]);
    const end = seats.find((s) => s.row === '2' && s.x === 500 + 4 * 28);
    assert.equal(nearestSeat(seats, end, 'ArrowRight'), null);
  });

  test('up and down go to the seat just behind, not to a curved row end', () => {
    const seats = curved(3, 21);
    for (const x of [500, 500 + 5 * 28, 500 - 8 * 28]) {
      const from = seats.find((s) => s.row === '1' && s.x === x);
      const down = nearestSeat(seats, from, 'ArrowDown');
      assert.deepEqual([down.row, down.x], ['2', x]);
      const up = nearestSeat(seats, down, 'ArrowUp');
      assert.equal(up, from);
    }
  });

  test('a grid moves as before', () => {
    const seats = grid(6, 12);
    const from = seats[4]; // row A, x 4
    assert.equal(nearestSeat(seats, from, 'ArrowRight').id, 6);
    assert.equal(nearestSeat(seats, seats[5], 'ArrowDown').id, 18);
    assert.equal(nearestSeat(seats, seats[0], 'ArrowLeft'), null);
  });
});
