// Human wording: seat descriptions, money, countdowns and error messages, in the page's
// language (./i18n.js). Every text is looked up when it is shown, never at import.

import { formatPrice, gettext, interpolate, language, ngettext } from './i18n.js';

function statusText(status) {
  switch (status) {
    case 'available':
      return gettext('available');
    case 'held':
      return gettext('held by someone else');
    case 'held-by-me':
      return gettext('held by you');
    case 'booked':
      return gettext('booked');
    case 'blocked':
      return gettext('not on sale');
    default:
      return status;
  }
}

export const expiredText = () => gettext('Your hold expired; the seats were released.');
export const warningText = () =>
  gettext('Less than a minute left on your hold. Extend it or book now.');
export const offlineText = () => gettext('Not connected right now; please try again in a moment.');
export const tapAgainText = () =>
  gettext('Zoomed in so you can pick: tap the seat again to hold it.');
export const limitText = () =>
  gettext('Your hold cannot be extended any further. Book now to keep your seats.');

/**
 * A text looked up each time it is turned into a string (`textContent = TEXT`, `${TEXT}`):
 * the old constants keep working for callers that have not moved to the functions above.
 */
function lookedUpWhenShown(text) {
  return Object.freeze({ toString: text, valueOf: text, [Symbol.toPrimitive]: text });
}

export const EXPIRED_TEXT = lookedUpWhenShown(expiredText);
export const WARNING_TEXT = lookedUpWhenShown(warningText);
export const OFFLINE_TEXT = lookedUpWhenShown(offlineText);
export const TAP_AGAIN_TEXT = lookedUpWhenShown(tapAgainText);
export const LIMIT_TEXT = lookedUpWhenShown(limitText);

/** "A12, A13": labels as a list. */
function listOf(labels) {
  return labels.join(', ');
}

/** "Seat A12" or "Seats A12, A13". */
export function seatsPhrase(labels) {
  const seats = listOf(labels);
  return interpolate(ngettext('Seat %(seats)s', 'Seats %(seats)s', labels.length), { seats }, true);
}

export function priceText(category) {
  return category ? formatPrice(category.price, category.currency) : '';
}

const spoken = new Map(); // "en EUR 40.00" -> "40.00 euros": Intl is too slow to call per seat

/** A price as a screen reader should say it: "40.00 euros" (falls back to the written price). */
export function spokenPrice(category) {
  if (!category) return '';
  const key = `${language()} ${category.currency} ${category.price}`;
  if (!spoken.has(key)) {
    let text = priceText(category);
    try {
      text = new Intl.NumberFormat(language(), {
        style: 'currency',
        currency: category.currency,
        currencyDisplay: 'name',
      }).format(Number(category.price));
    } catch {
      // an unknown currency code: say it as it is written
    }
    spoken.set(key, text);
  }
  return spoken.get(key);
}

/** "Row A, seat 12, Premium, 60.00 euros": everything about a seat but its status. */
export function seatName(seat, category, withSection) {
  const parts = [];
  if (withSection && seat.section) parts.push(seat.section);
  const where = { row: seat.row, number: seat.number };
  parts.push(interpolate(gettext('Row %(row)s, seat %(number)s'), where, true));
  if (category) parts.push(category.name, spokenPrice(category));
  return parts.join(', ');
}

/** e.g. "Row A, seat 12, Premium, 60.00 euros, available". */
export function seatDescription(name, status) {
  return `${name}, ${statusText(status)}`;
}

/** Why a click on someone else's seat did nothing, naming the seat. */
export function takenText(seat, status) {
  const values = { seat: seat.label };
  if (status === 'booked') return interpolate(gettext('Seat %(seat)s is already booked.'), values, true);
  if (status === 'blocked') return interpolate(gettext('Seat %(seat)s is not on sale.'), values, true);
  return interpolate(gettext('Seat %(seat)s was just taken by someone else.'), values, true);
}

/** "Seats A5, A6 are held for you for 05:00." */
export function heldText(labels, msLeft) {
  const n = labels.length;
  const values = { seats: listOf(labels), time: msLeft === null ? '' : countdownText(msLeft) };
  const text =
    msLeft === null
      ? ngettext('Seat %(seats)s is held for you.', 'Seats %(seats)s are held for you.', n)
      : ngettext(
          'Seat %(seats)s is held for you for %(time)s.',
          'Seats %(seats)s are held for you for %(time)s.',
          n,
        );
  return interpolate(text, values, true);
}

export function releasedText(labels) {
  const text = ngettext('Seat %(seats)s released.', 'Seats %(seats)s released.', labels.length);
  return interpolate(text, { seats: listOf(labels) }, true);
}

/** The answer to "find N seats together" when no row has them. English says "seats" for
 *  1 too, as it always has; the translations have their singular. */
export function noAdjacentText(count, category) {
  if (!category) {
    const text = ngettext(
      'There are no %(count)s seats together right now. Try fewer seats or another price category.',
      'There are no %(count)s seats together right now. Try fewer seats or another price category.',
      count,
    );
    return interpolate(text, { count }, true);
  }
  const text = ngettext(
    'There are no %(count)s seats together in %(category)s right now. Try fewer seats or another price category.',
    'There are no %(count)s seats together in %(category)s right now. Try fewer seats or another price category.',
    count,
  );
  return interpolate(text, { count, category: category.name }, true);
}

/** Sum of seat prices per currency, e.g. "120.00 EUR". */
export function totalText(seats, categoryOf, fallbackCurrency) {
  const cents = new Map();
  for (const seat of seats) {
    const category = categoryOf(seat.category);
    if (!category) continue;
    const amount = Math.round(Number(category.price) * 100);
    cents.set(category.currency, (cents.get(category.currency) ?? 0) + amount);
  }
  if (cents.size === 0) return formatPrice(0, fallbackCurrency || null);
  return [...cents].map(([currency, c]) => formatPrice(c / 100, currency)).join(' + ');
}

/** mm:ss, rounded to the nearest second so network latency does not show as 05:01. */
export function countdownText(ms) {
  const total = Math.max(0, Math.round(ms / 1000));
  const mm = String(Math.floor(total / 60)).padStart(2, '0');
  const ss = String(total % 60).padStart(2, '0');
  return `${mm}:${ss}`;
}

export function bookButtonText(count) {
  return interpolate(ngettext('Book %(count)s seat', 'Book %(count)s seats', count), { count }, true);
}

/** The text for an `error` reply, naming seats by their labels. */
export function errorText(msg, labelOf, maxPerHolder) {
  const labels = (msg.seat_ids ?? []).map(labelOf);
  const values = { seats: listOf(labels) };
  switch (msg.code) {
    case 'seats_unavailable':
      return labels.length
        ? interpolate(
            ngettext(
              'Seat %(seats)s was just taken by someone else.',
              'Seats %(seats)s were just taken by someone else.',
              labels.length,
            ),
            values,
            true,
          )
        : gettext('Those seats were just taken by someone else.');
    case 'not_holder':
      return labels.length
        ? interpolate(
            ngettext(
              'You no longer hold seat %(seats)s.',
              'You no longer hold seats %(seats)s.',
              labels.length,
            ),
            values,
            true,
          )
        : gettext('You are not holding any seats right now.');
    case 'hold_expired':
      return expiredText();
    case 'too_many_seats':
      return tooManyText(maxPerHolder);
    case 'extend_limit':
      return limitText();
    case 'no_adjacent_seats':
      return gettext('There are not that many seats together right now. Try fewer seats.');
    case 'unknown_seat':
      return gettext('That seat is not part of this event. Please reload the page.');
    case 'bad_request':
      return gettext('Something went wrong with that request. Please reload the page.');
    default:
      return msg.message || gettext('Something went wrong. Please try again.');
  }
}

/** English says "seats" for 1 too, as it always has; the translations have their singular. */
export function tooManyText(maxPerHolder) {
  if (!Number.isFinite(maxPerHolder)) return gettext('You cannot hold any more seats.');
  const text = ngettext(
    'You can hold at most %(count)s seats at a time.',
    'You can hold at most %(count)s seats at a time.',
    maxPerHolder,
  );
  return interpolate(text, { count: maxPerHolder }, true);
}
