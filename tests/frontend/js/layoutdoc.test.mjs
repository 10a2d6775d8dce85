// Live snapshots without a browser: a layout and the live state make the full snapshot.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createLayouts, expandSnapshot } from '../../../frontend/static/frontend/seatmap/layoutdoc.js';

const place = (id, more = {}) => ({
  id,
  label: `A${id}`,
  section: '',
  row: 'A',
  number: id,
  x: id,
  y: 0,
  category: 'standard',
  wheelchair: false,
  companion_of: null,
  restricted_view: false,
  note: '',
  ...more,
});

const layout = { event: 1, layout_version: 0, digest: 'd'.repeat(20), seats: [1, 2, 3, 4].map((id) => place(id)), plan: { name: null, width: 5, height: 1, areas: [] } };

describe('a live snapshot and its layout', () => {
  test('make every seat with its status; unlisted seats are available', () => {
    const live = {
      type: 'snapshot.live',
      event: 1,
      version: 7,
      layout: { version: 0, digest: layout.digest, url: '/l.json' },
      categories: [{ code: 'standard', name: 'Standard', price: '40.00', currency: 'EUR', color: '' }],
      held: [{ holder: 'h_x', held_until: '2030-01-01T12:05:00.000Z', seat_ids: [2] }],
      booked: [3],
      blocked: [4],
      you: 'h_x',
      hold: { held_until: '2030-01-01T12:05:00.000Z', max_until: '2030-01-01T12:15:00.000Z', seat_ids: [2] },
      server_time: '2030-01-01T12:00:00.000Z',
    };
    const full = expandSnapshot(live, layout);
    assert.equal(full.type, 'snapshot');
    assert.equal(full.version, 7);
    assert.deepEqual(
      full.seats.map((s) => [s.id, s.status, s.holder]),
      [[1, 'available', null], [2, 'held', 'h_x'], [3, 'booked', null], [4, 'blocked', null]],
    );
    assert.equal(full.seats[1].held_until, '2030-01-01T12:05:00.000Z');
    assert.equal(full.seats[0].label, 'A1');
    assert.deepEqual(full.plan, layout.plan);
    assert.equal(full.you, 'h_x');
  });
});

describe('layout documents', () => {
  test('are fetched once per URL, and fetched again after a failure', async () => {
    const asked = [];
    let fail = true;
    const layouts = createLayouts(async (url) => {
      asked.push(url);
      if (fail) throw new Error('offline');
      return layout;
    });
    await assert.rejects(layouts.get('/a.json'));
    fail = false;
    assert.equal(await layouts.get('/a.json'), layout);
    assert.equal(await layouts.get('/a.json'), layout);
    assert.deepEqual(asked, ['/a.json', '/a.json']);
  });
});
