// The waiting room panel: one event's room (chosen in the panel's own picker), its figures
// fetched again after each of its changes (pushed as queue.changed), and its controls. The
// opening time is typed and shown in the site's format and time zone (../common/dates.js),
// not the browser's locale.

import { dateTimeText, parseDateTimeText } from '../common/dates.js';
import { showEvents } from './eventpicker.js';

function csrfToken() {
  return document.querySelector('input[name="csrfmiddlewaretoken"]')?.value ?? '';
}

/** "12 s", "3 min": a median wait in words. Pure, for Node's tests. */
export function waitFigure(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  return seconds < 90 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
}

export function createQueuePanel(section) {
  const form = section.querySelector('#queue-form');
  const select = section.querySelector('#queue-event');
  const opensInput = section.querySelector('#queue-opens-at');
  const result = section.querySelector('#queue-result');
  const figures = {
    state: section.querySelector('#queue-state'),
    opens: section.querySelector('#queue-opens'),
    waiting: section.querySelector('#queue-waiting'),
    admitted: section.querySelector('#queue-admitted'),
    rate: section.querySelector('#queue-rate'),
    median: section.querySelector('#queue-median'),
  };
  let eventId = null;
  let timer = null;
  // The opening as shown in the field (to the minute): sent back only if staff change it,
  // so saving a new rate keeps an opening set to the second.
  let offered = '';

  function url() {
    return `/api/staff/events/${eventId}/waiting-room`;
  }

  function show(doc) {
    const room = doc.room;
    section.dataset.state = !room || !room.enabled ? 'off' : room.paused ? 'paused' : 'on';
    figures.state.textContent = section.dataset.state;
    const opens = room ? Date.parse(room.opens_at) : NaN;
    figures.opens.textContent = Number.isFinite(opens) ? dateTimeText(opens) : '–';
    // Offer the room's own opening for the next save, unless staff are typing one.
    if (Number.isFinite(opens) && document.activeElement !== opensInput) {
      offered = dateTimeText(opens);
      opensInput.value = offered;
    }
    figures.waiting.textContent = String(room?.waiting ?? 0);
    figures.admitted.textContent = String(room?.admitted ?? 0);
    figures.rate.textContent = room ? `${room.rate_per_minute} per minute` : '–';
    figures.median.textContent = waitFigure(room?.median_wait_seconds);
  }

  async function load() {
    if (eventId === null) return;
    const asked = eventId;
    const response = await fetch(url(), { credentials: 'same-origin' });
    if (response.ok && asked === eventId) show(await response.json());
  }

  async function send(body) {
    if (eventId === null) {
      result.textContent = 'Choose an event first.';
      return;
    }
    const response = await fetch(url(), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken() },
      body: JSON.stringify(body),
    });
    const doc = await response.json();
    if (response.ok) {
      show(doc);
      result.textContent = 'Saved.';
    } else {
      result.textContent = doc.message ?? `The server said ${response.status}.`;
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {
      enabled: true,
      rate_per_minute: Number(data.get('rate_per_minute')),
      max_admitted: Number(data.get('max_admitted')),
      shopping_seconds: Math.round(Number(data.get('shopping_minutes')) * 60),
    };
    const opens = String(data.get('opens_at') ?? '').trim();
    if (opens && opens !== offered) {
      const at = parseDateTimeText(opens);
      if (at === null) {
        result.textContent = `Write the opening like ${dateTimeText(Date.now())}.`;
        opensInput.focus();
        return;
      }
      body.opens_at = new Date(at).toISOString();
    }
    send(body);
  });
  for (const [name, body] of [
    ['pause', { paused: true }],
    ['resume', { paused: false }],
    ['off', { enabled: false }],
  ]) {
    section.querySelector(`[data-queue="${name}"]`).addEventListener('click', () => send(body));
  }

  function choose(id) {
    eventId = id;
    offered = '';
    opensInput.value = '';
    load();
  }

  select.addEventListener('change', () => choose(Number(select.value)));

  return {
    /** The event list changed (dashboard.state): keep the choice if it still exists. */
    events(events) {
      const keep = showEvents(select, events, eventId);
      if (Number.isFinite(keep) && keep !== eventId) choose(keep);
    },
    /** A room changed: reload soon if it is the one shown. */
    changed(id) {
      if (Number(id) !== eventId || timer !== null) return;
      timer = setTimeout(() => {
        timer = null;
        load();
      }, 250);
    },
  };
}
