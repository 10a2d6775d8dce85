// The site's one date format (common/dates.js): the public pages' "D j M Y, H:i", in the
// site's time zone whatever the browser's locale, and typed back the same way.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { dateTimeText, parseDateTimeText, timeText } from '../../../frontend/static/frontend/common/dates.js';

const AT = Date.parse('2026-12-05T19:07:05Z'); // a Saturday

test('dates are written as the public pages write them', () => {
  assert.equal(dateTimeText(AT, 'UTC'), 'Sat 5 Dec 2026, 19:07');
  assert.equal(dateTimeText(Date.parse('2026-09-01T00:30:00Z'), 'UTC'), 'Tue 1 Sep 2026, 00:30');
  assert.equal(timeText(AT, 'UTC'), '19:07:05');
});

test('in the site time zone, not the browser one', () => {
  assert.equal(dateTimeText(AT, 'Europe/Berlin'), 'Sat 5 Dec 2026, 20:07');
  assert.equal(dateTimeText(Date.parse('2026-07-01T12:00:00Z'), 'Europe/Berlin'), 'Wed 1 Jul 2026, 14:00');
  // An unknown zone falls back to UTC rather than failing the page.
  assert.equal(dateTimeText(AT, 'Mars/Olympus'), 'Sat 5 Dec 2026, 19:07');
});

test('nothing for no time', () => {
  assert.equal(dateTimeText(null, 'UTC'), '');
  assert.equal(dateTimeText(NaN, 'UTC'), '');
  assert.equal(timeText(undefined, 'UTC'), '');
});

test('what is written can be typed back', () => {
  const minute = Date.parse('2026-12-05T19:07:00Z');
  for (const zone of ['UTC', 'Europe/Berlin', 'America/New_York']) {
    assert.equal(parseDateTimeText(dateTimeText(minute, zone), zone), minute, zone);
  }
  assert.equal(parseDateTimeText('5 Dec 2026, 19:07', 'UTC'), minute);
  assert.equal(parseDateTimeText('5 dec 2026 19:07', 'UTC'), minute);
  assert.equal(parseDateTimeText('2026-12-05 19:07', 'UTC'), minute);
  assert.equal(parseDateTimeText('2026-12-05 20:07', 'Europe/Berlin'), minute);
  // Summer time: Berlin is two hours ahead in July.
  assert.equal(parseDateTimeText('1 Jul 2026, 14:00', 'Europe/Berlin'), Date.parse('2026-07-01T12:00:00Z'));
});

test('anything else is refused, not guessed', () => {
  for (const text of ['', '12/05/2026 19:07', '31 Feb 2026, 10:00', '5 Dec 2026, 24:00', '5 Foo 2026, 10:00', 'soon']) {
    assert.equal(parseDateTimeText(text, 'UTC'), null, text);
  }
});
