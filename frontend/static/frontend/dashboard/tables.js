// Dashboard tables: per-event seat counts and active holds with live countdowns.

import { parseTime } from '../common/clock.js';
import { dateTimeText } from '../common/dates.js';
import { el } from '../common/dom.js';
import { countdownText } from '../common/texts.js';

function cell(text, className = null) {
  return el('td', className, text);
}

function formatDate(iso) {
  return dateTimeText(parseTime(iso));
}

/**
 * Give every body cell its column's heading as `data-label`: on a phone the rows are stacked
 * into cards and each value shows its heading (app.css, `.data-table.stacked`).
 */
export function labelCells(table) {
  const headings = [...table.tHead.rows[0].cells].map((th) => th.textContent.trim());
  for (const row of [...table.tBodies[0].rows, ...(table.tFoot?.rows ?? [])]) {
    [...row.cells].forEach((cell, i) => {
      if (headings[i]) cell.dataset.label = headings[i];
    });
  }
}

/** Replace the event rows. */
export function renderEvents(table, events) {
  const rows = events.map((event) => {
    const tr = el('tr');
    tr.dataset.eventId = event.id;
    const name = el('td');
    const link = el('a', null, event.name);
    link.href = `/events/${encodeURIComponent(event.id)}/`;
    name.append(link);
    tr.append(name, cell(formatDate(event.starts_at)));
    for (const column of ['available', 'held', 'booked', 'blocked', 'total']) {
      const td = cell(String(event[column] ?? 0), 'num');
      td.dataset.col = column;
      tr.append(td);
    }
    const staff = el('td');
    const boxOffice = el('a', null, 'Box office');
    boxOffice.href = `/box-office/events/${encodeURIComponent(event.id)}/`;
    staff.append(boxOffice);
    tr.append(staff);
    return tr;
  });
  table.tBodies[0].replaceChildren(...rows);
  labelCells(table);
}

/** "Mrs Smith, phoning back, until Sat 5 Dec 2026, 19:30" for seats the box office keeps; "" else. */
export function heldForText(hold) {
  if (!hold.held_for) return '';
  return `${hold.held_for}, until ${formatDate(hold.expires_at)}`;
}

/** Replace the hold rows; `eventName(id)` names the event; `onRelease(hold)` ends one now. */
export function renderHolds(table, holds, eventName, now, onRelease = null) {
  const rows = holds.map((hold) => {
    const tr = el('tr');
    tr.dataset.holdId = hold.id;
    tr.dataset.eventId = hold.event;
    const left = cell('', 'num time-left');
    left.dataset.expiresAt = String(parseTime(hold.expires_at) ?? '');
    tr.append(
      cell(eventName(hold.event)),
      cell(hold.holder ?? ''),
      cell(heldForText(hold)),
      cell((hold.seats ?? []).join(', ')),
      left,
    );
    const action = el('td');
    if (onRelease) {
      const button = el('button', 'button small', 'Release now');
      button.type = 'button';
      button.setAttribute('aria-label', `Release the hold of ${hold.holder} now`);
      button.addEventListener('click', () => onRelease(hold, button));
      action.append(button);
    }
    tr.append(action);
    return tr;
  });
  table.tBodies[0].replaceChildren(...rows);
  labelCells(table);
  tickHolds(table, now);
}

/** Rewrite every "time left" cell for server time `now`. */
export function tickHolds(table, now) {
  for (const td of table.querySelectorAll('td[data-expires-at]')) {
    const until = Number(td.dataset.expiresAt);
    if (!td.dataset.expiresAt || !Number.isFinite(until)) continue;
    const left = until - now;
    td.textContent = left > 0 ? countdownText(left) : 'expired';
    td.classList.toggle('is-expired', left <= 0);
  }
}
