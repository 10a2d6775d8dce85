// Activity feed: newest change first, capped so a busy night does not grow the page forever.

import { parseTime } from '../common/clock.js';
import { timeText } from '../common/dates.js';
import { el, span } from '../common/dom.js';

export const MAX_ITEMS = 200;

/**
 * Put one `activity` message into the feed list, in time order (newest first): the history on
 * open can arrive after the first live changes, and its changes belong below them.
 */
export function addActivity(list, msg, eventName) {
  const li = el('li');
  const at = parseTime(msg.at);
  li.dataset.reason = msg.reason;
  li.dataset.eventId = msg.event;
  li.dataset.version = msg.version;
  li.dataset.at = String(at ?? '');
  const time = el('time', 'feed-time');
  if (msg.at) time.dateTime = msg.at;
  time.textContent = timeText(at);
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
  const newer = (item) => at !== null && Number(item.dataset.at) > at;
  let before = list.firstElementChild;
  while (before && newer(before)) before = before.nextElementSibling;
  list.insertBefore(li, before);
  while (list.children.length > MAX_ITEMS) list.lastElementChild.remove();
}
