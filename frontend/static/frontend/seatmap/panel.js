// Side panel: your held seats with prices and total, countdown, buttons and messages.
// An event sold through a shop also has "Continue to checkout": a plain form post, the
// server answers with the redirect to the shop.

import { el, focusedIn, span } from '../common/dom.js';
import { gettext, interpolate, ngettext } from '../common/i18n.js';
import { bookButtonText, countdownText, priceText, totalText } from '../common/texts.js';

/**
 * Which buttons are disabled: nothing to book, extend or check out without seats, and
 * nothing while a request is under way. Pure, for Node's tests.
 */
export function buttonStates({ busy, holding, atLimit }) {
  const idle = !busy && holding > 0;
  return {
    book: !idle,
    checkout: !idle,
    extend: !idle || atLimit,
    extendNoteHidden: holding === 0 || !atLimit,
  };
}

export function createPanel(root = document) {
  const list = root.getElementById('my-seats');
  const empty = root.getElementById('my-seats-empty');
  const total = root.getElementById('my-total');
  const countdown = root.getElementById('countdown');
  const countdownTime = countdown.querySelector('.countdown-time') ?? countdown;
  const extendButton = root.getElementById('extend-button');
  const bookButton = root.getElementById('book-button'); // null when a shop sells
  const checkoutButton = root.getElementById('checkout-button'); // null without a shop
  const bookingResult = root.getElementById('booking-result');
  const message = root.getElementById('message');
  const extendNote = root.getElementById('extend-note');
  const heading = root.getElementById('my-seats-title');
  let shownKey = null;
  let busy = false;
  let holding = 0;
  let atLimit = false;

  function syncButtons() {
    const states = buttonStates({ busy, holding, atLimit });
    if (bookButton) bookButton.disabled = states.book;
    if (checkoutButton) checkoutButton.disabled = states.checkout;
    extendButton.disabled = states.extend;
    extendNote.hidden = states.extendNoteHidden;
  }

  function seatItem(seat, category) {
    const li = el('li');
    li.dataset.seatId = seat.id;
    const release = el('button', 'link-button', gettext('Release'));
    release.type = 'button';
    release.dataset.releaseSeat = seat.id;
    release.setAttribute('aria-label', interpolate(gettext('Release seat %(seat)s'), { seat: seat.label }, true));
    li.append(
      span('my-seat-label', seat.label),
      ' ',
      span('my-seat-category', category ? category.name : ''),
      ' ',
      span('my-seat-price', priceText(category)),
      ' ',
      release,
    );
    return li;
  }

  return {
    /** Show the seats of our hold; the list is only rebuilt when it changed. */
    showHold(hold, categoryOf, fallbackCurrency) {
      const key = hold.seats.map((s) => s.id).join(',');
      holding = hold.seats.length;
      syncButtons();
      if (bookButton) bookButton.textContent = bookButtonText(holding);
      if (key === shownKey) return;
      shownKey = key;
      const hadFocus = list.contains(focusedIn(list));
      list.replaceChildren(...hold.seats.map((s) => seatItem(s, categoryOf(s.category))));
      // A released seat takes its button with it: keep the keyboard user in the panel.
      if (hadFocus) (list.querySelector('button') ?? heading).focus();
      empty.hidden = holding > 0;
      total.textContent = totalText(hold.seats, categoryOf, fallbackCurrency);
    },

    /** Time left on the hold (null hides the countdown); warning from 60 s down. */
    showCountdown(msLeft, warning) {
      countdown.hidden = msLeft === null;
      if (msLeft === null) return;
      countdownTime.textContent = countdownText(msLeft);
      countdown.classList.toggle('is-warning', warning);
    },

    setExtendLimit(reached) {
      atLimit = reached;
      syncButtons();
    },

    setBusy(value) {
      busy = value;
      syncButtons();
    },

    showBooking(reference, labels) {
      const values = { seats: labels.join(', '), reference };
      const text = labels.length
        ? ngettext(
            'Booked! Seat %(seats)s. Your booking reference is %(reference)s.',
            'Booked! Seats %(seats)s. Your booking reference is %(reference)s.',
            labels.length,
          )
        : gettext('Booked! Your booking reference is %(reference)s.');
      bookingResult.textContent = interpolate(text, values, true);
    },

    say(text) {
      message.textContent = text;
    },

    onBook(handler) {
      bookButton?.addEventListener('click', handler);
    },

    onExtend(handler) {
      extendButton.addEventListener('click', handler);
    },

    /** handler(seatId) when a "Release" button of the list is pressed. */
    onRelease(handler) {
      list.addEventListener('click', (event) => {
        const button = event.target.closest('button[data-release-seat]');
        if (button) handler(Number(button.dataset.releaseSeat));
      });
    },
  };
}
