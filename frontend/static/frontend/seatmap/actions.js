// What the buyer asks for (hold, release, extend, book, seats together) and what the reply says.

import { parseTime } from '../common/clock.js';
import { gettext, interpolate, ngettext } from '../common/i18n.js';
import {
  countdownText,
  errorText,
  heldText,
  limitText,
  noAdjacentText,
  offlineText,
  releasedText,
  takenText,
  tooManyText,
} from '../common/texts.js';

export function createActions({
  socket,
  store,
  map,
  panel,
  watch,
  clock,
  refresh,
  maxPerHolder,
  onError = () => {},
}) {
  const say = (text) => panel.say(text);
  /** Say it in the panel and, pinned next to seat `id` on the map, where the tap was. */
  const sayAt = (id, text) => {
    say(text);
    if (id !== undefined) map.note?.(id, text);
  };

  /** Refused here, before asking the server, for the reason it would give (`code`). */
  function refuse(id, code, text) {
    sayAt(id, text);
    onError({ code, seat_ids: id === undefined ? [] : [id] }, text);
  }

  function labelOf(id) {
    return store.get(id)?.label ?? `#${id}`;
  }

  /** Labels of seats in plan order (the store's list order); unknown ids last. */
  function labelsOf(ids) {
    const known = ids.map((id) => store.get(id)).filter(Boolean).sort(store.listOrder);
    const unknown = ids.filter((id) => !store.get(id));
    return [...known.map((seat) => seat.label), ...unknown.map(labelOf)];
  }

  function holding() {
    return store.myHold(clock.now()).seats.length;
  }

  /** The buyer's name and email where the page asks for them (#buyer); null, after the form
   *  says why, when a required one is missing or the email is malformed. The server checks
   *  again: this only saves a round trip. */
  function buyerDetails() {
    const fields = globalThis.document?.getElementById('buyer');
    if (!fields) return {};
    const [name, email] = ['#buyer-name', '#buyer-email'].map((sel) => fields.querySelector(sel));
    const invalid = [name, email].find((input) => !input.checkValidity());
    if (invalid) {
      invalid.reportValidity();
      say(gettext('Give your name and a valid email address to book.'));
      return null;
    }
    return { customer_name: name.value.trim(), customer_email: email.value.trim() };
  }

  /** Send a request, marking `ids` pending on the map; resolves with the reply, or null offline. */
  function request(msg, ids = []) {
    map.setPending(ids, true);
    return socket
      .request(msg)
      .catch(() => {
        say(offlineText());
        return null;
      })
      .finally(() => map.setPending(ids, false));
  }

  /** True (after saying why, next to the first of `ids`) when the reply is an error or
   *  never came. */
  function failed(reply, ids = []) {
    if (reply?.type === 'error') {
      const text = errorText(reply, labelOf, maxPerHolder);
      sayAt(ids[0], text);
      onError(reply, text);
    }
    return !reply || reply.type === 'error';
  }

  /** How far the hold can be extended: hold.ok and extend.ok say so. */
  function learnMaxUntil(reply) {
    store.setMaxUntil(parseTime(reply.max_until));
    refresh();
  }

  function held(reply) {
    const until = parseTime(reply.held_until);
    const labels = labelsOf(reply.seat_ids ?? []);
    if (labels.length) say(heldText(labels, until === null ? null : until - clock.now()));
    learnMaxUntil(reply);
  }

  function hold(ids) {
    return request({ type: 'hold', seat_ids: ids }, ids).then((reply) => {
      if (!failed(reply, ids)) held(reply);
    });
  }

  function release(ids) {
    return request({ type: 'release', seat_ids: ids }, ids).then((reply) => {
      if (!failed(reply, ids)) say(releasedText(labelsOf(reply.seat_ids ?? ids)));
    });
  }

  return {
    labelOf,
    release,

    /** Places of a standing area, `quantity` of them, chosen by the server. Resolves true
     *  when they are held. */
    holdPlaces(area, quantity) {
      if (holding() + quantity > maxPerHolder) {
        refuse(undefined, 'too_many_seats', tooManyText(maxPerHolder));
        return Promise.resolve(false);
      }
      const msg = { type: 'hold', places: [{ area, quantity }] };
      return request(msg).then((reply) => {
        if (failed(reply)) return false;
        held(reply);
        return true;
      });
    },

    /** A click, Enter/Space or a list button on a seat: decided by its current status. At a
     *  table sold whole, the click is about every seat of the table. */
    act(id) {
      const seat = store.get(id);
      if (!seat) return;
      const status = store.uiStatus(seat, clock.now());
      const group = store.groupOf?.(id) ?? [id];
      if (status === 'available') {
        if (holding() + group.length > maxPerHolder) {
          refuse(id, 'too_many_seats', tooManyText(maxPerHolder));
        } else {
          hold(group);
        }
      } else if (status === 'held-by-me') {
        release(group);
      } else {
        refuse(id, 'seats_unavailable', takenText(seat, status));
      }
    },

    extend() {
      panel.setBusy(true);
      request({ type: 'extend' })
        .then((reply) => {
          if (reply?.type === 'error' && reply.code === 'extend_limit') {
            watch.limitReached();
            refresh();
            say(limitText());
          } else if (!failed(reply)) {
            const until = parseTime(reply.held_until);
            store.setMaxUntil(parseTime(reply.max_until));
            refresh();
            const time = until === null ? null : countdownText(until - clock.now());
            say(
              time === null
                ? gettext('Your hold was extended.')
                : interpolate(gettext('Your hold was extended: %(time)s left.'), { time }, true),
            );
          }
        })
        .finally(() => panel.setBusy(false));
    },

    book() {
      const ids = store.myHold(clock.now()).seats.map((seat) => seat.id);
      if (ids.length === 0) return;
      const buyer = buyerDetails();
      if (buyer === null) return;
      const msg = { type: 'book', seat_ids: ids, ...buyer };
      panel.setBusy(true);
      request(msg, ids)
        .then((reply) => {
          if (failed(reply)) return;
          const labels = labelsOf(reply.seat_ids ?? ids);
          panel.showBooking(reply.booking, labels);
          const text = ngettext(
            'Seat %(seats)s booked. Your booking reference is %(reference)s.',
            'Seats %(seats)s booked. Your booking reference is %(reference)s.',
            labels.length,
          );
          say(interpolate(text, { seats: labels.join(', '), reference: reply.booking }, true));
        })
        .finally(() => panel.setBusy(false));
    },

    /** "Find N seats together", optionally in one price category or as a
     *  wheelchair space with its companion seats; all or nothing. */
    findTogether({ count, category, accessible = false }) {
      const already = holding();
      if (already + count > maxPerHolder) {
        refuse(undefined, 'too_many_seats', tooManyText(maxPerHolder));
        return Promise.resolve();
      }
      const msg = { type: 'hold_best', count };
      if (category) msg.category = category;
      if (accessible) msg.accessible = true;
      return request(msg).then((reply) => {
        if (reply?.type === 'error' && reply.code === 'no_adjacent_seats') {
          say(noAdjacentText(count, store.category(category)));
        } else if (!failed(reply)) {
          held(reply);
          if (reply.seat_ids?.length) map.reveal(reply.seat_ids[0]);
        }
      });
    },
  };
}
