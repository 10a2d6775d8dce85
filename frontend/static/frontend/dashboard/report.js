// The sales report panel: one event's seats by category and status, and revenue, fetched
// from /api/staff/ when the event is chosen and again after each of its changes (pushed as
// activity), so it stays live without polling. Also the CSV export link.

import { el } from '../common/dom.js';
import { showEvents } from './eventpicker.js';
import { labelCells } from './tables.js';

const COLUMNS = ['available', 'held', 'booked', 'blocked'];

/** One table row: label, price, the four counts and the revenue. Pure, for Node's tests. */
export function reportRow(label, price, counts, revenue) {
  return [label, price, ...COLUMNS.map((c) => String(counts[c] ?? 0)), revenue];
}

export function createReport(section) {
  const select = section.querySelector('#report-event');
  const csv = section.querySelector('#report-csv');
  const table = section.querySelector('#report-table');
  let chosen = null;
  let timer = null;
  let names = new Map();

  function row(cells, header = false) {
    const tr = el('tr');
    cells.forEach((text, i) => {
      const cell = el(i === 0 && header ? 'th' : 'td', i === 0 ? null : 'num', text);
      if (i === 0 && header) cell.scope = 'row';
      tr.append(cell);
    });
    return tr;
  }

  async function load() {
    if (chosen === null) return;
    const id = chosen;
    const response = await fetch(`/api/staff/events/${id}/report`, { credentials: 'same-origin' });
    if (!response.ok || id !== chosen) return;
    const doc = await response.json();
    table.dataset.version = String(doc.version);
    table.tBodies[0].replaceChildren(
      ...doc.categories.map((c) =>
        row(reportRow(c.name, `${c.price} ${c.currency}`, c.counts, c.revenue), true),
      ),
    );
    table.tFoot.replaceChildren(row(reportRow('Total', '', doc.totals, doc.revenue), true));
    labelCells(table);
  }

  function choose(id) {
    chosen = id;
    csv.href = `/api/staff/events/${id}/bookings.csv`;
    load();
  }

  select.addEventListener('change', () => choose(Number(select.value)));

  return {
    /** The event list changed (dashboard.state): keep the choice if it still exists. */
    events(events) {
      names = new Map(events.map((e) => [Number(e.id), e.name]));
      const keep = showEvents(select, events, chosen);
      if (Number.isFinite(keep) && keep !== chosen) choose(keep);
    },
    /** A change of `eventId` was pushed: reload soon (many changes, one reload). */
    changed(eventId) {
      if (Number(eventId) !== chosen || timer !== null) return;
      timer = setTimeout(() => {
        timer = null;
        load();
      }, 250);
    },
  };
}
