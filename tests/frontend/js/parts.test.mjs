// Part names for ::part(): which elements get which names, kept and never doubled.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PARTS, applyParts, seatPart } from '../../../frontend/static/frontend/seatmap/parts.js';

/** An element with attributes only: all applyParts touches. */
function fakeElement(attrs = {}) {
  const attributes = new Map(Object.entries(attrs));
  return {
    getAttribute: (name) => (attributes.has(name) ? attributes.get(name) : null),
    setAttribute: (name, value) => attributes.set(name, String(value)),
  };
}

/** A root whose querySelectorAll answers from a table of selector -> elements. */
function fakeRoot(matches) {
  return { querySelectorAll: (selector) => matches[selector] ?? [] };
}

test('every listed element gets its part names; a primary button both of its own', () => {
  const svg = fakeElement();
  const primary = fakeElement();
  const plain = fakeElement();
  const area = fakeElement();
  const root = fakeRoot({
    '.seat-map': [svg],
    '.button': [primary, plain],
    '.button.primary': [primary],
    '.standing-area': [area],
  });
  applyParts(root);
  assert.equal(svg.getAttribute('part'), 'map');
  assert.equal(primary.getAttribute('part'), 'button button-primary');
  assert.equal(plain.getAttribute('part'), 'button');
  assert.equal(area.getAttribute('part'), 'standing-area');
});

test('names already there are kept, and a second run adds nothing', () => {
  const tools = fakeElement({ part: ' mine ' });
  const root = fakeRoot({ '.map-tools': [tools] });
  applyParts(root);
  applyParts(root);
  assert.equal(tools.getAttribute('part'), 'mine zoom-tools');
});

test('every documented part name is listed', () => {
  const names = new Set(Object.values(PARTS).flatMap((n) => n.split(' ')));
  for (const name of [
    'map',
    'legend',
    'category-legend',
    'zoom-tools',
    'zoom-button',
    'panel',
    'button',
    'button-primary',
    'countdown',
    'my-seats',
    'message',
    'standing-area',
  ]) {
    assert.ok(names.has(name), name);
  }
});

test('a seat carries "seat" and one name for its status', () => {
  assert.equal(seatPart('available'), 'seat seat-available');
  assert.equal(seatPart('held'), 'seat seat-held');
  assert.equal(seatPart('held-by-me'), 'seat seat-mine');
  assert.equal(seatPart('booked'), 'seat seat-booked');
  assert.equal(seatPart('blocked'), 'seat seat-blocked');
  assert.equal(seatPart('unknown'), 'seat');
});
