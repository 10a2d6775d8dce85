// Activity feed: newest change first, capped so a busy night does not grow the page forever.

import { parseTime } from '../common/clock.js';
import { el, span } from '../common/dom.js';

const MAX_ITEMS = 200;

/** Prepend one `activity` message to the feed list. */
export function addActivity(list, msg, eventName) {
  const li = el('li');
  li.dataset.reason = msg.reason;
  li.dataset.eventId = msg.event;
  const time = el('time', 'feed-time');
  const at = parseTime(msg.at);
  if (msg.at) time.dateTime = msg.at;
  time.textContent = at === null ? '' : new Date(at).toLocaleTimeString([], { hour12: false });
  const labels = (msg.seats ?? []).map((seat) => seat.label ?? `#${seat.id}`).join(', ');
  li.append(
    time,
    ' ',
    span('feed-event', eventName(msg.event)),
    ' ',
    span('feed-reason', msg.reason),
    ' ',
    span('feed-seats', labels),
    ' ',
    span('feed-holder', msg.holder ?? ''),
  );
  list.prepend(li);
  while (list.children.length > MAX_ITEMS) list.lastElementChild.remove();
}
