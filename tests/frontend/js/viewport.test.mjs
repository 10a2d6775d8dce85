// Zoom and pan maths of the seat map: fit, zoom about a point, pan, pinch, clamps.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  containsBox,
  fitBox,
  frameHeight,
  keepInside,
  panBy,
  pinch,
  toScreen,
  toWorld,
  viewBoxOf,
  visibleBox,
  zoomAt,
  zoomLimits,
} from '../../../frontend/static/frontend/seatmap/viewport.js';

const PHONE = { width: 358, height: 300 };
const HALL = { x: -12, y: -40, width: 1200, height: 800 };
const LIMITS = { min: 0.25, max: 4 };

function close(actual, expected, message) {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${message}: ${actual} != ${expected}`);
}

describe('fitting a box', () => {
  test('the whole hall is visible and centred, limited by the tighter side', () => {
    const view = fitBox(HALL, PHONE);
    close(view.scale, 358 / 1200, 'width decides on a phone');
    assert.ok(containsBox(visibleBox(view, PHONE), HALL));
    const middle = toWorld(view, { x: PHONE.width / 2, y: PHONE.height / 2 });
    close(middle.x, HALL.x + HALL.width / 2, 'centred across');
    close(middle.y, HALL.y + HALL.height / 2, 'centred down');
  });

  test('a small venue is not blown up beyond the maximum scale', () => {
    const small = { x: 0, y: 0, width: 100, height: 50 };
    const view = fitBox(small, { width: 900, height: 600 }, 1.25);
    assert.equal(view.scale, 1.25);
    assert.ok(containsBox(visibleBox(view, { width: 900, height: 600 }), small));
  });

  test('the viewBox is the visible box', () => {
    const view = { x: 10, y: -5, scale: 2 };
    assert.equal(viewBoxOf(view, { width: 400, height: 300 }), '10 -5 200 150');
  });

  test('the frame is as tall as the fitted hall needs, within its bounds', () => {
    const opts = { minHeight: 200, maxHeight: 600, maxScale: 1.25 };
    assert.equal(frameHeight({ x: 0, y: 0, width: 1000, height: 800 }, 500, opts), 400);
    assert.equal(frameHeight({ x: 0, y: 0, width: 1000, height: 100 }, 500, opts), 200);
    assert.equal(frameHeight({ x: 0, y: 0, width: 100, height: 1000 }, 500, opts), 600);
    // Never scaled up beyond maxScale: 100 units tall at 1.25 is 125, then the minimum.
    assert.equal(frameHeight({ x: 0, y: 0, width: 100, height: 160 }, 900, opts), 200);
  });
});

describe('zooming and panning', () => {
  test('zooming about a point keeps the world point under it in place', () => {
    const view = { x: 100, y: 50, scale: 0.5 };
    const pointer = { x: 120, y: 80 };
    const before = toWorld(view, pointer);
    const zoomed = zoomAt(view, 2, pointer, LIMITS);
    assert.equal(zoomed.scale, 1);
    const after = toWorld(zoomed, pointer);
    close(after.x, before.x, 'x under the pointer');
    close(after.y, before.y, 'y under the pointer');
  });

  test('zoom stays within its limits', () => {
    const view = { x: 0, y: 0, scale: 1 };
    assert.equal(zoomAt(view, 100, { x: 0, y: 0 }, LIMITS).scale, 4);
    assert.equal(zoomAt(view, 0.001, { x: 0, y: 0 }, LIMITS).scale, 0.25);
  });

  test('panning moves the picture with the pointer', () => {
    const view = { x: 100, y: 100, scale: 2 };
    const moved = panBy(view, 40, -20);
    const world = { x: 150, y: 150 };
    const before = toScreen(view, world);
    const after = toScreen(moved, world);
    close(after.x - before.x, 40, 'dx');
    close(after.y - before.y, -20, 'dy');
  });

  test('a pinch scales with the fingers and follows their midpoint', () => {
    const start = { x: 0, y: 0, scale: 1 };
    const from = [{ x: 100, y: 100 }, { x: 200, y: 100 }];
    const to = [{ x: 50, y: 150 }, { x: 250, y: 150 }];
    const view = pinch(start, from, to, LIMITS);
    assert.equal(view.scale, 2);
    // The world point that was under the first midpoint is under the new midpoint.
    const was = toWorld(start, { x: 150, y: 100 });
    const now = toWorld(view, { x: 150, y: 150 });
    close(now.x, was.x, 'x');
    close(now.y, was.y, 'y');
  });

  test('the hall cannot be dragged out of sight', () => {
    const size = { width: 400, height: 300 };
    const box = { x: 0, y: 0, width: 1000, height: 1000 };
    const far = keepInside({ x: 5000, y: -5000, scale: 1 }, size, box);
    assert.deepEqual(far, { x: 600, y: 0, scale: 1 });
    // Where the whole box fits (here: at a small scale), it stays centred.
    const small = keepInside({ x: 123, y: 456, scale: 0.2 }, size, box);
    close(small.x + size.width / 2 / 0.2, 500, 'centred x');
    close(small.y + size.height / 2 / 0.2, 500, 'centred y');
  });

  test('limits run from the fit to a large seat, and always allow some zoom', () => {
    assert.deepEqual(zoomLimits(0.3, 24, 64), { min: 0.3, max: 64 / 24 });
    assert.deepEqual(zoomLimits(3, 24, 64), { min: 3, max: 6 });
  });
});
