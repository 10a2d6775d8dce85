// Human wording: seat descriptions, money, countdowns and error messages.

const STATUS_TEXT = {
  available: 'available',
  held: 'held by someone else',
  'held-by-me': 'held by you',
  booked: 'booked',
  blocked: 'not on sale',
};

export const EXPIRED_TEXT = 'Your hold expired; the seats were released.';
export const WARNING_TEXT = 'Less than a minute left on your hold. Extend it or book now.';
export const OFFLINE_TEXT = 'Not connected right now; please try again in a moment.';
export const TAP_AGAIN_TEXT = 'Zoomed in so you can pick: tap the seat again to hold it.';
export const LIMIT_TEXT = 'Your hold cannot be extended any further. Book now to keep your seats.';

/** "Seat A12" or "Seats A12, A13". */
export function seatsPhrase(labels) {
  return labels.length === 1 ? `Seat ${labels[0]}` : `Seats ${labels.join(', ')}`;
}

export function priceText(category) {
  return category ? `${category.price} ${category.currency}` : '';
}

const spoken = new Map(); // "EUR 40.00" -> "40.00 euros": Intl is too slow to call per seat

/** A price as a screen reader should say it: "40.00 euros" (falls back to "40.00 EUR"). */
export function spokenPrice(category) {
  if (!category) return '';
  const key = `${category.currency} ${category.price}`;
  if (!spoken.has(key)) {
    let text = priceText(category);
    try {
      text = new Intl.NumberFormat('en', {
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
  parts.push(`Row ${seat.row}`, `seat ${seat.number}`);
  if (category) parts.push(category.name, spokenPrice(category));
  return parts.join(', ');
}

/** e.g. "Row A, seat 12, Premium, 60.00 euros, available". */
export function seatDescription(name, status) {
  return `${name}, ${STATUS_TEXT[status] ?? status}`;
}

/** Why a click on someone else's seat did nothing, naming the seat. */
export function takenText(seat, status) {
  if (status === 'booked') return `Seat ${seat.label} is already booked.`;
  if (status === 'blocked') return `Seat ${seat.label} is not on sale.`;
  return `Seat ${seat.label} was just taken by someone else.`;
}

/** "Seats A5, A6 are held for you for 05:00." */
export function heldText(labels, msLeft) {
  const verb = labels.length === 1 ? 'is' : 'are';
  const time = msLeft === null ? '' : ` for ${countdownText(msLeft)}`;
  return `${seatsPhrase(labels)} ${verb} held for you${time}.`;
}

export function releasedText(labels) {
  return `${seatsPhrase(labels)} released.`;
}

/** The answer to "find N seats together" when no row has them. */
export function noAdjacentText(count, category) {
  const where = category ? ` in ${category.name}` : '';
  return `There are no ${count} seats together${where} right now. Try fewer seats or another price category.`;
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
  if (cents.size === 0) return fallbackCurrency ? `0.00 ${fallbackCurrency}` : '0.00';
  return [...cents].map(([currency, c]) => `${(c / 100).toFixed(2)} ${currency}`).join(' + ');
}

/** mm:ss, rounded to the nearest second so network latency does not show as 05:01. */
export function countdownText(ms) {
  const total = Math.max(0, Math.round(ms / 1000));
  const mm = String(Math.floor(total / 60)).padStart(2, '0');
  const ss = String(total % 60).padStart(2, '0');
  return `${mm}:${ss}`;
}

export function bookButtonText(count) {
  return `Book ${count} ${count === 1 ? 'seat' : 'seats'}`;
}

/** The text for an `error` reply, naming seats by their labels. */
export function errorText(msg, labelOf, maxPerHolder) {
  const labels = (msg.seat_ids ?? []).map(labelOf);
  const many = labels.length > 1;
  switch (msg.code) {
    case 'seats_unavailable':
      return labels.length
        ? `${seatsPhrase(labels)} ${many ? 'were' : 'was'} just taken by someone else.`
        : 'Those seats were just taken by someone else.';
    case 'not_holder':
      return labels.length
        ? `You no longer hold ${many ? 'seats' : 'seat'} ${labels.join(', ')}.`
        : 'You are not holding any seats right now.';
    case 'hold_expired':
      return EXPIRED_TEXT;
    case 'too_many_seats':
      return tooManyText(maxPerHolder);
    case 'extend_limit':
      return LIMIT_TEXT;
    case 'no_adjacent_seats':
      return 'There are not that many seats together right now. Try fewer seats.';
    case 'unknown_seat':
      return 'That seat is not part of this event. Please reload the page.';
    case 'bad_request':
      return 'Something went wrong with that request. Please reload the page.';
    default:
      return msg.message || 'Something went wrong. Please try again.';
  }
}

export function tooManyText(maxPerHolder) {
  return Number.isFinite(maxPerHolder)
    ? `You can hold at most ${maxPerHolder} seats at a time.`
    : 'You cannot hold any more seats.';
}
