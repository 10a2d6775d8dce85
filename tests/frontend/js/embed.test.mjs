// The embedded map's pure parts (embed/support.js): what a refusal says, the seat payload of
// the element's events, and the socket origin.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { refusalText, seatInfo, wsOrigin } from '../../../frontend/static/frontend/embed/support.js';

const asIs = (text) => text;

test('each refusal code has its own text, through the catalogue', () => {
  const codes = ['key_invalid', 'origin_not_allowed', 'event_not_found', 'bad_attributes', 'unreachable', 'no_hold'];
  const texts = codes.map((code) => refusalText(code, asIs));
  assert.equal(new Set(texts).size, codes.length);
  assert.match(refusalText('origin_not_allowed', asIs), /may not be shown on this website/);
  // Looked up by its English text, so a catalogue can translate it.
  assert.equal(refusalText('origin_not_allowed', (text) => `de:${text}`).startsWith('de:'), true);
  // An unknown code still says something.
  assert.match(refusalText('something_new', asIs), /cannot be shown/);
});

test("a seat's payload names its category and price, not the store's codes", () => {
  const store = { category: (code) => ({ A: { name: 'Stalls', price: '40.00', currency: 'EUR' } })[code] };
  assert.deepEqual(seatInfo({ id: 7, label: 'A7', section: 'Stalls', row: 'A', category: 'A' }, store), {
    id: 7,
    label: 'A7',
    section: 'Stalls',
    row: 'A',
    area: null,
    category: 'Stalls',
    price: '40.00',
    currency: 'EUR',
  });
  const place = seatInfo({ id: 9, label: 'Floor 3', area: 'floor', category: null }, store);
  assert.equal(place.area, 'floor');
  assert.equal(place.price, null);
});

test('the socket goes to the same host with ws or wss', () => {
  assert.equal(wsOrigin('http://127.0.0.1:8000'), 'ws://127.0.0.1:8000');
  assert.equal(wsOrigin('https://tickets.example'), 'wss://tickets.example');
});
