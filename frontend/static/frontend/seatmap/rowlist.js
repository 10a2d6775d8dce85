// List view for screen readers: the available seats of each row as buttons, patched live.

import { el, focusedIn, span } from '../common/dom.js';
import { gettext, interpolate, ngettext, pgettext } from '../common/i18n.js';
import { spokenPrice } from '../common/texts.js';
import { flagWords, flagsOf } from './flags.js';
import { rowKey } from './order.js';

// Short visible marks for a seat's features; the button's name spells them out.
function flagBadge(flag) {
  if (flag === 'wheelchair') return '♿';
  if (flag === 'companion') return pgettext('mark on a companion seat', 'C');
  return pgettext('mark on a seat with a restricted view', 'RV');
}

function countText(n) {
  if (n === 0) return gettext('none available');
  return interpolate(ngettext('%(count)s available', '%(count)s available', n), { count: n }, true);
}

/**
 * `details` holds the list; it is only built while open (a 5,000-seat venue needs no
 * hidden buttons), and patched seat by seat while it stays open.
 */
export function createRowList(details, store, { onPick, now: clockNow }) {
  const body = details.querySelector('.row-list-body');
  let rows = new Map(); // row key -> { order: seat ids in plan order, ul, count, size }
  let items = new Map(); // seat id -> <li> of an available seat
  let dirty = true;

  function seatItem(seat) {
    const li = el('li');
    const button = el('button', 'list-seat', String(seat.number));
    button.type = 'button';
    button.dataset.listSeat = seat.id;
    const category = store.category(seat.category);
    const price = category ? `, ${category.name}, ${spokenPrice(category)}` : '';
    const words = flagWords(seat, (id) => store.get(id)?.label ?? null);
    const extra = words.length ? `, ${words.join(', ')}` : '';
    const hold = interpolate(gettext('Hold seat %(number)s'), { number: seat.number }, true);
    button.setAttribute('aria-label', `${hold}${price}${extra}`);
    for (const flag of flagsOf(seat)) {
      const badge = span(`list-flag list-flag-${flag}`, flagBadge(flag));
      badge.setAttribute('aria-hidden', 'true');
      button.append(' ', badge);
    }
    if (words.length) button.title = words.join('; ');
    li.append(button);
    return li;
  }

  function setCount(row) {
    row.count.textContent = countText(row.size);
  }

  function build(now) {
    dirty = false;
    const active = focusedIn(body);
    const focused = body.contains(active)
      ? Number(active.dataset.listSeat)
      : null;
    rows = new Map();
    items = new Map();
    const withSection = store.hasSections();
    const frag = document.createDocumentFragment();
    for (const seat of [...store.seats()].sort(store.listOrder)) {
      const key = rowKey(seat);
      let row = rows.get(key);
      if (!row) {
        const group = el('section', 'row-group');
        const where = { section: seat.section, row: seat.row };
        const name = interpolate(
          withSection ? gettext('%(section)s, row %(row)s') : gettext('Row %(row)s'),
          where,
          true,
        );
        const h3 = el('h3', null, name);
        const count = span('row-count', '');
        h3.append(', ', count);
        const ul = el('ul', 'row-seats');
        group.append(h3, ul);
        frag.append(group);
        row = { order: [], ul, count, size: 0 };
        rows.set(key, row);
      }
      row.order.push(seat.id);
      if (store.uiStatus(seat, now) === 'available') {
        const li = seatItem(seat);
        items.set(seat.id, li);
        row.ul.append(li);
        row.size += 1;
      }
    }
    for (const row of rows.values()) setCount(row);
    body.replaceChildren(frag);
    // A resync redraws the list: the keyboard user stays on the same seat if it is free.
    if (focused !== null) (items.get(focused)?.firstChild ?? details.querySelector('summary')).focus();
  }

  function insert(seat) {
    const row = rows.get(rowKey(seat));
    if (!row) return null;
    const li = seatItem(seat);
    const at = row.order.indexOf(seat.id);
    const next = row.order.slice(at + 1).find((id) => items.has(id));
    row.ul.insertBefore(li, next === undefined ? null : items.get(next));
    items.set(seat.id, li);
    row.size += 1;
    return row;
  }

  function remove(seat) {
    const li = items.get(seat.id);
    const row = rows.get(rowKey(seat));
    items.delete(seat.id);
    // Keep keyboard focus in the list when the focused seat goes away.
    if (li.contains(focusedIn(li))) {
      const neighbour = li.nextElementSibling ?? li.previousElementSibling;
      (neighbour?.querySelector('button') ?? details.querySelector('summary')).focus();
    }
    li.remove();
    if (row) row.size -= 1;
    return row;
  }

  details.addEventListener('toggle', () => {
    if (details.open && dirty) build(clockNow());
  });

  body.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-list-seat]');
    if (button) onPick(Number(button.dataset.listSeat));
  });

  return {
    /** After a snapshot: rebuild now if open, else when next opened. */
    reset(now) {
      dirty = true;
      if (details.open) build(now);
    },

    /** Patch the given seats only. */
    update(ids, now) {
      if (!details.open) {
        dirty = true;
        return;
      }
      if (dirty) {
        build(now);
        return;
      }
      const touched = new Set();
      for (const id of ids) {
        const seat = store.get(id);
        if (!seat) continue;
        const free = store.uiStatus(seat, now) === 'available';
        if (free && !items.has(id)) touched.add(insert(seat));
        else if (!free && items.has(id)) touched.add(remove(seat));
      }
      for (const row of touched) if (row) setCount(row);
    },
  };
}
