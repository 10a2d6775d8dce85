// The waiting page's wording of the estimated wait.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { estimatedWait, placeInLine } from '../../../frontend/static/frontend/waiting/line.js';
import { placeText, waitText } from '../../../frontend/static/frontend/waiting/texts.js';

test('the estimate reads in words, and says when the sale is paused', () => {
  assert.equal(waitText(null, false), 'unknown');
  assert.equal(waitText(30, false), 'under a minute');
  assert.equal(waitText(70, false), 'about a minute');
  assert.equal(waitText(600, false), 'about 10 minutes');
  assert.equal(waitText(600, true), 'paused for now');
});

test('a place reads "about" when it was worked out between marks', () => {
  assert.equal(placeText(4312, true), '4,312');
  assert.equal(placeText(4312, false), 'about 4,312');
});

// A line as the server marks it (seats/waiting/services.py, line_of): the first ten exactly,
// then samples spread to the last.
function lineOf(ranks) {
  const picks = [];
  for (let i = 0; i < Math.min(10, ranks.length); i += 1) picks.push(i);
  if (ranks.length > 10) {
    const step = Math.max(1, Math.ceil((ranks.length - 10) / 30));
    for (let i = 9 + step; i < ranks.length - 1; i += step) picks.push(i);
    picks.push(ranks.length - 1);
  }
  return { marks: picks.map((i) => [i + 1, ranks[i]]), paused: false, rate_per_minute: 60 };
}

test('every page finds its place in the shared line: exact at the front, close further back', () => {
  // Early arrivals' ranks are uniform draws; a fixed generator keeps the test repeatable.
  let seed = 7;
  const random = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  const ranks = Array.from({ length: 10000 }, () => Math.floor(random() * 2 ** 40));
  ranks.sort((a, b) => a - b);
  const line = lineOf(ranks);
  assert.ok(line.marks.length <= 41);
  let worst = 0;
  ranks.forEach((rank, i) => {
    const place = placeInLine(line, rank);
    if (i < 10) assert.deepEqual(place, { position: i + 1, exact: true });
    worst = Math.max(worst, Math.abs(place.position - (i + 1)));
  });
  assert.equal(placeInLine(line, ranks[9999]).exact, true);
  // Some hundreds of places between marks; a page is rarely more than a few dozen off.
  assert.ok(worst > 0 && worst < 60, `worst ${worst}`);
  // Not in the line: before the first mark (admitted) or past the last.
  assert.equal(placeInLine(line, ranks[0] - 1), null);
  assert.equal(placeInLine(line, ranks[9999] + 1), null);
  assert.equal(placeInLine(line, null), null);
  assert.equal(placeInLine({ marks: [] }, 5), null);
});

test('between two marks the place stays strictly between them', () => {
  const line = { marks: [[1, 100], [2, 200], [50, 300], [51, 400]] };
  assert.deepEqual(placeInLine(line, 200), { position: 2, exact: true });
  assert.deepEqual(placeInLine(line, 250), { position: 26, exact: false });
  assert.equal(placeInLine(line, 201).position, 3);
  assert.equal(placeInLine(line, 299).position, 49);
  // One place between two marks: that one, exactly.
  assert.deepEqual(placeInLine({ marks: [[1, 10], [3, 30]] }, 20), { position: 2, exact: true });
});

test('the wait counts the time to the opening and one interval per person ahead', () => {
  const line = { paused: false, rate_per_minute: 2 };
  assert.equal(estimatedWait(line, 1, 0, 0), 0);
  assert.equal(estimatedWait(line, 3, 0, 0), 60);
  assert.equal(estimatedWait(line, 3, 0, 90_000), 150);
  assert.equal(estimatedWait({ ...line, paused: true }, 3, 0, 0), null);
  assert.equal(estimatedWait({ ...line, rate_per_minute: 0 }, 3, 0, 0), null);
});
