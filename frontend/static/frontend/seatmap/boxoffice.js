// Box office mode (staff only): a click selects a seat instead of holding it; the panel sells
// the selection to a named customer, keeps it for a named person until a chosen time, blocks or
// unblocks it with a reason, releases holds on it, and shows one seat's history. Every action is one POST to /api/staff/…; the
// seats then change on every open map through the socket like any other change.

import { parseTime } from '../common/clock.js';
import { dateTimeText } from '../common/dates.js';
import { el } from '../common/dom.js';
import { seatsPhrase } from '../common/texts.js';

function csrfToken(root) {
  return root.querySelector('input[name="csrfmiddlewaretoken"]')?.value ?? '';
}

/**
 * What the selection allows: pure, for Node's tests. Held seats may be sold: the server sells
 * seats the box office kept for someone and refuses a customer's hold, saying how long it runs.
 */
export function boxOfficeButtons(statuses) {
  const any = statuses.length > 0;
  const sellable = any && statuses.every((s) => ['available', 'blocked', 'held'].includes(s));
  return {
    sell: !sellable,
    keep: !any || !statuses.every((s) => s === 'available'),
    block: !any || statuses.some((s) => s === 'booked' || s === 'blocked'),
    unblock: !statuses.includes('blocked'),
    release: !statuses.some((s) => s === 'held' || s === 'held-by-me'),
    cancel: !any || !statuses.every((s) => s === 'booked'),
    row: statuses.length === 0,
    zone: statuses.length === 0,
    clear: !any,
  };
}

/** "12:03:04 booked by ann (card)" lines, newest first, for the history list. */
export function historyLine(entry) {
  const when = entry.at.slice(11, 19);
  const who = entry.staff ? ` by ${entry.staff}` : entry.holder ? ` (${entry.holder})` : '';
  const note = entry.note ? `: ${entry.note}` : '';
  return `${when} ${entry.kind}${who}${note}`;
}

export function createBoxOffice(root, { store, svg, api, now }) {
  const selected = new Set();
  let last = null; // the seat clicked last: "Whole row" / "Whole zone" start from it
  const summary = root.querySelector('#bo-selection');
  const result = root.querySelector('#bo-result');
  const message = root.querySelector('#message');
  const history = root.querySelector('#bo-history');
  const historyList = history.querySelector('.bo-history-list');
  const sellForm = root.querySelector('#bo-sell');
  const blockForm = root.querySelector('#bo-block');
  const keepForm = root.querySelector('#bo-keep');
  const buttons = Object.fromEntries(
    [...root.querySelectorAll('[data-bo]')].map((b) => [b.dataset.bo, b]),
  );

  function say(text) {
    message.textContent = text;
  }

  function seatEl(id) {
    return svg.querySelector(`.seat[data-seat-id="${id}"]`);
  }

  function statusOf(id) {
    const seat = store.get(id);
    return seat ? store.uiStatus(seat, now()) : null;
  }

  function render() {
    for (const g of svg.querySelectorAll('.seat[data-selected]')) {
      if (!selected.has(Number(g.getAttribute('data-seat-id')))) g.removeAttribute('data-selected');
    }
    for (const id of selected) seatEl(id)?.setAttribute('data-selected', 'true');
    const ids = [...selected];
    const known = ids.map((id) => store.get(id)).filter(Boolean).sort(store.listOrder);
    const unknown = ids.filter((id) => !store.get(id)).map(String);
    const labels = [...known.map((seat) => seat.label), ...unknown];
    summary.textContent = ids.length ? `${seatsPhrase(labels)} (${ids.length})` : 'No seats selected.';
    const disabled = boxOfficeButtons(ids.map(statusOf));
    for (const [name, button] of Object.entries(buttons)) button.disabled = disabled[name] ?? false;
    if (ids.length === 1) showHistory(ids[0]);
    else history.hidden = true;
  }

  async function post(path, body) {
    const response = await fetch(`${api}/${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        'X-CSRFToken': csrfToken(root),
        Accept: 'application/json',
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }

  async function showHistory(id) {
    const response = await fetch(`${api}/seats/${id}/history`, { credentials: 'same-origin' });
    if (!response.ok || !selected.has(id) || selected.size !== 1) return;
    const doc = await response.json();
    const reason = doc.seat.blocked_reason ? ` (blocked: ${doc.seat.blocked_reason})` : '';
    history.querySelector('h3').textContent = `History of ${doc.seat.label}${reason}`;
    historyList.replaceChildren(...doc.entries.map((e) => el('li', null, historyLine(e))));
    if (!doc.entries.length) historyList.replaceChildren(el('li', null, 'No changes yet.'));
    history.hidden = false;
  }

  /** Runs one staff action; a conflict that staff may override asks first, then retries. */
  async function run(path, body, { confirmCode, confirmField, done }) {
    for (const button of Object.values(buttons)) button.disabled = true;
    try {
      let answer = await post(path, body);
      if (answer.status === 409 && answer.body.code === confirmCode) {
        // eslint-disable-next-line no-alert
        if (window.confirm(`${answer.body.message}\nGo ahead anyway?`)) {
          answer = await post(path, { ...body, [confirmField]: true });
        } else {
          say('Nothing changed.');
          return;
        }
      }
      if (answer.status !== 200) {
        say(answer.body.message ?? `The server said ${answer.status}.`);
        return;
      }
      done(answer.body);
    } catch (error) {
      say(`Could not reach the server (${error.message}).`);
    } finally {
      render();
    }
  }

  sellForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const ids = [...selected];
    const data = new FormData(sellForm);
    run(
      'sell',
      {
        seat_ids: ids,
        customer_name: String(data.get('customer_name') ?? ''),
        customer_email: String(data.get('customer_email') ?? ''),
        payment_note: String(data.get('payment_note') ?? ''),
      },
      {
        confirmCode: 'seat_blocked',
        confirmField: 'include_blocked',
        done: (doc) => {
          const link = el('a', null, `Booking ${doc.booking}: print the confirmation`);
          link.href = doc.confirmation_url;
          link.target = '_blank';
          result.replaceChildren(link);
          say(`Sold ${doc.seat_ids.length} seats: ${doc.booking}.`);
          sellForm.reset();
          selected.clear();
        },
      },
    );
  });

  keepForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(keepForm);
    run(
      'keep',
      {
        seat_ids: [...selected],
        held_for: String(data.get('held_for') ?? ''),
        // datetime-local: the site's clock, as every time the site shows (dates.js).
        until: String(data.get('until') ?? ''),
      },
      {
        done: (doc) => {
          say(`Kept ${doc.seat_ids.length} seats for ${doc.held_for} until ${dateTimeText(parseTime(doc.until))}.`);
          keepForm.reset();
          selected.clear();
        },
      },
    );
  });

  blockForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const reason = String(new FormData(blockForm).get('reason') ?? '');
    run(
      'block',
      { seat_ids: [...selected], reason },
      {
        confirmCode: 'seats_held',
        confirmField: 'release_holds',
        done: (doc) => say(`Blocked ${doc.seat_ids.length} seats.`),
      },
    );
  });

  buttons.unblock.addEventListener('click', () =>
    run('unblock', { seat_ids: [...selected] }, { done: (doc) => say(`Unblocked ${doc.seat_ids.length} seats.`) }),
  );
  buttons.release.addEventListener('click', () => {
    const held = [...selected].filter((id) => ['held', 'held-by-me'].includes(statusOf(id)));
    run('release', { seat_ids: held }, { done: (doc) => say(`Released ${doc.seat_ids.length} seats.`) });
  });
  buttons.cancel.addEventListener('click', () => {
    // eslint-disable-next-line no-alert
    if (!window.confirm('Cancel the sale of these seats? They go back on sale at once.')) return;
    run('cancel', { seat_ids: [...selected] }, { done: (doc) => say(`Cancelled ${doc.seat_ids.length} seats.`) });
  });
  buttons.clear.addEventListener('click', () => {
    selected.clear();
    render();
  });

  function selectWhere(match) {
    const seat = store.get(last);
    if (!seat) return;
    for (const other of store.seats()) if (match(other, seat)) selected.add(other.id);
    render();
  }
  buttons.row.addEventListener('click', () =>
    selectWhere((a, b) => a.row === b.row && a.section === b.section),
  );
  buttons.zone.addEventListener('click', () => selectWhere((a, b) => a.section === b.section));

  return {
    say,
    toggle(id) {
      if (selected.has(id)) selected.delete(id);
      else {
        selected.add(id);
        last = id;
      }
      render();
    },
    /** `quantity` more available places of a standing area join the selection (the
     *  server says at the sale whether they are still free). False when too few are left. */
    selectPlaces(area, quantity) {
      const free = [...store.places()].filter(
        (place) => place.area === area && !selected.has(place.id) && statusOf(place.id) === 'available',
      );
      if (free.length < quantity) {
        say(`Only ${free.length} places of this area are left to select.`);
        return false;
      }
      for (const place of free.slice(0, quantity)) selected.add(place.id);
      render();
      return true;
    },
    /** Seats changed on the socket: buttons follow their new states. */
    changed(ids) {
      if (ids.some((id) => selected.has(id))) render();
    },
    /** A fresh snapshot redrew every seat: mark the selection again. */
    reset() {
      for (const id of [...selected]) if (!store.get(id)) selected.delete(id);
      render();
    },
  };
}
