// The djangojs catalogue in the browser: Django's gettext family, plurals per language without
// eval, the embedder's overrides, the missing-text hook, and prices and dates in the language.

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';

import {
  formatDateTime,
  formatPrice,
  gettext,
  interpolate,
  language,
  missingMessages,
  ngettext,
  pgettext,
  setCatalogue,
  setMessages,
} from '../../../frontend/static/frontend/common/i18n.js';
import { bookButtonText, heldText, seatsPhrase } from '../../../frontend/static/frontend/common/texts.js';

// As JSONCatalog answers: plural entries are lists, contexts are joined with \x04.
const GERMAN = {
  catalog: {
    'Whole hall': 'Ganzer Saal',
    'Seat %(seats)s': ['Platz %(seats)s', 'Plätze %(seats)s'],
    'Book %(count)s seat': ['%(count)s Platz buchen', '%(count)s Plätze buchen'],
    'mark on a companion seat\x04C': 'B',
  },
  formats: {},
  plural: '(n != 1)',
  lang: 'de',
};
const FRENCH = {
  catalog: { '%(count)s available': ['%(count)s disponible', '%(count)s disponibles'] },
  // Never evaluated: a page's CSP may forbid eval; the rule comes from the language code.
  plural: 'alert(1) || (n > 1)',
  lang: 'fr',
};

afterEach(() => {
  setCatalogue({ catalog: {}, lang: 'en' });
  setMessages({});
});

test('English is the source: without a catalogue every text is its msgid', () => {
  assert.equal(language(), 'en');
  assert.equal(gettext('Whole hall'), 'Whole hall');
  assert.equal(ngettext('Seat %(seats)s', 'Seats %(seats)s', 1), 'Seat %(seats)s');
  assert.equal(ngettext('Seat %(seats)s', 'Seats %(seats)s', 0), 'Seats %(seats)s');
  assert.equal(pgettext('mark on a companion seat', 'C'), 'C');
  assert.equal(seatsPhrase(['A1', 'A2']), 'Seats A1, A2');
});

test('a catalogue translates texts, plurals and texts with a context', () => {
  setCatalogue(GERMAN);
  assert.equal(language(), 'de');
  assert.equal(gettext('Whole hall'), 'Ganzer Saal');
  assert.equal(seatsPhrase(['A1']), 'Platz A1');
  assert.equal(seatsPhrase(['A1', 'A2']), 'Plätze A1, A2');
  assert.equal(bookButtonText(0), '0 Plätze buchen');
  assert.equal(pgettext('mark on a companion seat', 'C'), 'B');
  assert.equal(pgettext('another context', 'C'), 'C');
});

test('plural forms follow the language: French counts 0 and 1 as singular, German only 1', () => {
  setCatalogue(FRENCH);
  const count = (n) => ngettext('%(count)s available', '%(count)s available', n);
  assert.deepEqual([0, 1, 2].map(count), ['%(count)s disponible', '%(count)s disponible', '%(count)s disponibles']);
  setCatalogue(GERMAN);
  const book = (n) => bookButtonText(n);
  assert.deepEqual([0, 1, 2].map(book), ['0 Plätze buchen', '1 Platz buchen', '2 Plätze buchen']);
  for (const lang of ['en', 'nl', 'es']) {
    setCatalogue({ catalog: { x: ['one', 'many'] }, lang });
    assert.deepEqual([0, 1, 2].map((n) => ngettext('x', 'xs', n)), ['many', 'one', 'many'], lang);
  }
});

test('interpolate: named from an object, positional in turn from a list', () => {
  assert.equal(interpolate('%(left)s of %(capacity)s left', { left: 3, capacity: 8 }, true), '3 of 8 left');
  assert.equal(interpolate('%s of %s left', [3, 8]), '3 of 8 left');
  assert.equal(interpolate('%(a)s and %(a)s', { a: 'x' }, true), 'x and x');
});

test("the embedder's messages win over the catalogue, plurals as [singular, plural]", () => {
  setCatalogue(GERMAN);
  setMessages({ 'Whole hall': 'Ganzes Haus', 'Seat %(seats)s': ['Sitz %(seats)s', 'Sitze %(seats)s'], C: 'Bg' });
  assert.equal(gettext('Whole hall'), 'Ganzes Haus');
  assert.equal(seatsPhrase(['A1']), 'Sitz A1');
  assert.equal(seatsPhrase(['A1', 'A2']), 'Sitze A1, A2');
  assert.equal(pgettext('mark on a companion seat', 'C'), 'Bg');
  setMessages({ 'Your hold was extended.': 'Verlängert!' });
  assert.equal(gettext('Your hold was extended.'), 'Verlängert!');
  assert.equal(gettext('Whole hall'), 'Ganzer Saal'); // the catalogue again
  assert.deepEqual(missingMessages(), new Set());
});

test('texts a non-English catalogue lacks are recorded; English never misses any', () => {
  gettext('Not in any catalogue');
  assert.deepEqual(missingMessages(), new Set());
  setCatalogue(GERMAN);
  gettext('Whole hall');
  gettext('Not in any catalogue');
  ngettext('One thing', 'Many things', 2);
  setMessages({ Overridden: 'Überschrieben' });
  gettext('Overridden');
  assert.deepEqual(missingMessages(), new Set(['Not in any catalogue', 'One thing']));
  assert.equal(gettext('Not in any catalogue'), 'Not in any catalogue');
});

test('texts are looked up when shown: a catalogue installed later applies at once', () => {
  const shown = () => heldText(['A1', 'A2'], 65_000);
  assert.equal(shown(), 'Seats A1, A2 are held for you for 01:05.');
  setCatalogue({
    catalog: {
      'Seat %(seats)s is held for you for %(time)s.': [
        'Platz %(seats)s ist für %(time)s für Sie reserviert.',
        'Plätze %(seats)s sind für %(time)s für Sie reserviert.',
      ],
    },
    lang: 'de',
  });
  assert.equal(shown(), 'Plätze A1, A2 sind für 01:05 für Sie reserviert.');
});

test('prices: English as the site has always written them, other languages as they write them', () => {
  assert.equal(formatPrice('60.00', 'EUR'), '60.00 EUR');
  assert.equal(formatPrice(1234.5, null), '1234.50');
  setCatalogue({ catalog: {}, lang: 'de' });
  assert.equal(formatPrice('60.00', 'EUR').replace(/\s/g, ' '), '60,00 €');
  assert.equal(formatPrice(1234.5, null), '1.234,50');
  setCatalogue({ catalog: {}, lang: 'fr' });
  assert.match(formatPrice('9.5', 'EUR'), /^9,50\s€$/);
  setCatalogue({ catalog: {}, lang: 'nl' });
  assert.match(formatPrice('9.5', 'EUR'), /^€\s9,50$/);
  assert.equal(formatPrice('9.5', 'XYZ1'), '9.50 XYZ1'); // no such currency: as written
});

test('dates in the language, in the time zone asked for', () => {
  const when = Date.UTC(2026, 11, 5, 18, 30);
  const options = { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Berlin' };
  assert.equal(formatDateTime(when, options), 'December 5, 2026 at 7:30 PM');
  setCatalogue({ catalog: {}, lang: 'de' });
  assert.equal(formatDateTime(new Date(when), options), '5. Dezember 2026 um 19:30');
  setCatalogue({ catalog: {}, lang: 'fr' });
  assert.equal(formatDateTime(when, { ...options, dateStyle: 'full' }), 'samedi 5 décembre 2026 à 19:30');
});
