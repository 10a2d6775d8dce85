// Side panel: your held seats, total, countdown, buttons, legend counts and messages.

import { bookButtonText, countdownText, priceText, totalText } from './texts.js';

export function createPanel(root = document) {
  const list = root.getElementById('my-seats');
  const empty = root.getElementById('my-seats-empty');
  const total = root.getElementById('my-total');
  const countdown = root.getElementById('countdown');
  const countdownTime = countdown.querySelector('.countdown-time') ?? countdown;
  const extendButton = root.getElementById('extend-button');
  const bookButton = root.getElementById('book-button');
  const bookingResult = root.getElementById('booking-result');
  const message = root.getElementById('message');
  const legendCounts = [...root.querySelectorAll('[data-legend-count]')];
  let shownKey = null;
  let busy = false;
  let holding = 0;
  let atLimit = false;

  function syncButtons() {
    bookButton.disabled = busy || holding === 0;
    extendButton.disabled = busy || holding === 0 || atLimit;
  }

  function seatItem(seat, category) {
    const li = document.createElement('li');
    li.dataset.seatId = seat.id;
    const label = document.createElement('span');
    label.className = 'my-seat-label';
    label.textContent = seat.label;
    const kind = document.createElement('span');
    kind.className = 'my-seat-category';
    kind.textContent = category ? category.name : '';
    const price = document.createElement('span');
    price.className = 'my-seat-price';
    price.textContent = priceText(category);
    li.append(label, ' ', kind, ' ', price);
    return li;
  }

  return {
    /** Show the seats of our hold; the list is only rebuilt when it changed. */
    showHold(hold, categoryOf, fallbackCurrency) {
      const key = hold.seats.map((s) => s.id).join(',');
      holding = hold.seats.length;
      syncButtons();
      bookButton.textContent = bookButtonText(holding);
      if (key === shownKey) return;
      shownKey = key;
      list.replaceChildren(...hold.seats.map((s) => seatItem(s, categoryOf(s.category))));
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

    showCounts(counts) {
      for (const el of legendCounts) {
        el.textContent = String(counts[el.dataset.legendCount] ?? 0);
      }
    },

    showBooking(reference) {
      bookingResult.textContent = `Booked! Reference ${reference}`;
    },

    say(text) {
      message.textContent = text;
    },

    onBook(handler) {
      bookButton.addEventListener('click', handler);
    },

    onExtend(handler) {
      extendButton.addEventListener('click', handler);
    },
  };
}
