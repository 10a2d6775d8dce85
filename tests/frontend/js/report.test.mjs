// The dashboard's sales report rows.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { reportRow } from '../../../frontend/static/frontend/dashboard/report.js';

test('a row lists the four statuses in a fixed order, missing ones as 0', () => {
  const row = reportRow('Stalls', '45.00 EUR', { held: 2, available: 10, blocked: 1 }, '90.00');
  assert.deepEqual(row, ['Stalls', '45.00 EUR', '10', '2', '0', '1', '90.00']);
});

test('a median wait reads in seconds, then minutes', async () => {
  const { waitFigure } = await import('../../../frontend/static/frontend/dashboard/queue.js');
  assert.equal(waitFigure(null), '–');
  assert.equal(waitFigure(12.4), '12 s');
  assert.equal(waitFigure(600), '10 min');
});
