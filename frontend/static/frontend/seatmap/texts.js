// Human wording: seat descriptions, money, countdowns and error messages.

const STATUS_TEXT = {
  available: 'available',
  held: 'held by someone else',
  'held-by-me': 'held by you',
  booked: 'booked',
};

export const EXPIRED_TEXT = 'Your hold expired; the seats were released.';
export const WARNING_TEXT = 'Less than a minute left on your hold. Extend it or book now.';
export const OFFLINE_TEXT = 'Not connected right now; please try again in a moment.';

/** "Seat A12" or "Seats A12, A13". */
export function seatsPhrase(labels) {
  return labels.length === 1 ? `Seat ${labels[0]}` : `Seats ${labels.join(', ')}`;
}

export function priceText(category) {
  return category ? `${category.price} ${category.currency}` : '';
}

/** e.g. "Row A, seat 12, Premium 60.00 EUR, available". */
export function seatDescription(seat, category, status, withSection) {
  const parts = [];
  if (withSection && seat.section) parts.push(seat.section);
  parts.push(`Row ${seat.row}`, `seat ${seat.number}`);
  if (category) parts.push(`${category.name} ${priceText(category)}`);
  parts.push(STATUS_TEXT[status] ?? status);
  return parts.join(', ');
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
      return 'Your hold cannot be extended any further. Book now to keep your seats.';
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
