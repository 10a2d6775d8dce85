// Seat map page: wires the socket, the seat store, the SVG map and the side panel together.

import { createClock } from './clock.js';
import { connect } from './connection.js';
import { isArrowKey, nearestSeat } from './nav.js';
import { createPanel } from './panel.js';
import { createSeatMap, seatIdOf } from './render.js';
import { createSeatStore } from './state.js';
import { showConnection } from './status.js';
import {
  EXPIRED_TEXT,
  OFFLINE_TEXT,
  WARNING_TEXT,
  errorText,
  seatsPhrase,
  tooManyText,
} from './texts.js';

const WARN_BEFORE_MS = 60_000;

const app = document.getElementById('seatmap-app');
const svg = document.getElementById('seat-map');
const statusElement = document.getElementById('connection-status');
const maxPerHolder = Number(app.dataset.maxPerHolder) || Infinity;

const clock = createClock();
const panel = createPanel(document);
const store = createSeatStore({
  eventId: app.dataset.eventId,
  requestSnapshot: () => socket.send({ type: 'snapshot' }),
  onSnapshot: () => {
    map.build(clock.now());
    if (!built) centerStage();
    built = true;
    refresh();
  },
  onChange: seatsChanged,
});
const map = createSeatMap(svg, store);

let built = false;
let previousHold = { seats: [], until: null };
let expiryNoticeFor = null; // `until` of the hold we already announced as expired
let warned = false;

const socket = connect(app.dataset.wsPath, { onMessage: handle, onStatus: connectionChanged });

/** Wide venues scroll sideways; start with the middle (the stage) in view. */
function centerStage() {
  const scroller = svg.parentElement;
  scroller.scrollLeft = (scroller.scrollWidth - scroller.clientWidth) / 2;
}

function labelOf(id) {
  return store.get(id)?.label ?? `#${id}`;
}

/** Every frame from the server lands here; unknown types are ignored (protocol may grow). */
function handle(msg) {
  switch (msg.type) {
    case 'snapshot':
      clock.sync(msg.server_time);
      store.applySnapshot(msg);
      break;
    case 'seats.changed':
      store.applyChanged(msg);
      break;
    case 'hold.ok':
    case 'release.ok':
      break; // the seats.changed broadcast that follows updates the map
    case 'extend.ok':
      panel.say('Your hold was extended.');
      break;
    case 'book.ok':
      panel.showBooking(msg.booking);
      panel.say(`${seatsPhrase((msg.seat_ids ?? []).map(labelOf))} booked.`);
      break;
    case 'error':
      panel.say(errorText(msg, labelOf, maxPerHolder));
      break;
    case 'pong':
      clock.sync(msg.server_time);
      break;
    default:
      break;
  }
}

function connectionChanged(state, code) {
  showConnection(statusElement, state);
  if (state === 'closed') {
    panel.say(code === 4404 ? 'This event does not exist.' : 'You are not allowed to see this event.');
  }
}

function seatsChanged(msg, ids) {
  const now = clock.now();
  if (msg.reason === 'expired') {
    const changed = new Set(ids);
    if (previousHold.seats.some((seat) => changed.has(seat.id))) noticeExpiry();
  }
  map.update(ids, now);
  refresh(now);
}

function noticeExpiry() {
  if (expiryNoticeFor === previousHold.until) return;
  expiryNoticeFor = previousHold.until;
  panel.say(EXPIRED_TEXT);
}

/** Bring the panel, countdown and legend in line with the store at time `now`. */
function refresh(now = clock.now()) {
  const hold = store.myHold(now);
  const ranOut = previousHold.until !== null && previousHold.until <= now;
  if (hold.seats.length === 0 && previousHold.seats.length > 0 && ranOut) noticeExpiry();
  previousHold = hold;

  panel.showHold(hold, (code) => store.category(code), store.firstCategory()?.currency);
  const left = hold.seats.length && hold.until !== null ? hold.until - now : null;
  const warning = left !== null && left <= WARN_BEFORE_MS;
  if (warning && !warned) panel.say(WARNING_TEXT);
  warned = warning;
  panel.showCountdown(left, warning);
  const maxUntil = store.maxUntil();
  panel.setExtendLimit(maxUntil !== null && hold.until !== null && hold.until >= maxUntil);
  panel.showCounts(map.counts());
}

/** Send a request, marking `ids` as pending on the map until the reply (or failure). */
function send(msg, ids) {
  map.setPending(ids, true);
  return socket
    .request(msg)
    .catch(() => panel.say(OFFLINE_TEXT))
    .finally(() => map.setPending(ids, false));
}

/** What a click (or Enter/Space) on a seat does, decided by its current status. */
function act(id) {
  const seat = store.get(id);
  if (!seat) return;
  const now = clock.now();
  switch (store.uiStatus(seat, now)) {
    case 'available':
      if (store.myHold(now).seats.length >= maxPerHolder) {
        panel.say(tooManyText(maxPerHolder));
        return;
      }
      send({ type: 'hold', seat_ids: [id] }, [id]);
      break;
    case 'held-by-me':
      send({ type: 'release', seat_ids: [id] }, [id]);
      break;
    default:
      panel.say(`Seat ${seat.label} is taken.`);
  }
}

svg.addEventListener('click', (event) => {
  const id = seatIdOf(event.target);
  if (id !== null) act(id);
});

svg.addEventListener('keydown', (event) => {
  const id = seatIdOf(event.target);
  if (id === null) return;
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    if (!event.repeat) act(id);
  } else if (isArrowKey(event.key)) {
    event.preventDefault();
    const next = nearestSeat(store.seats(), store.get(id), event.key);
    if (next) map.focusSeat(next.id);
  }
});

svg.addEventListener('focusin', (event) => map.trackFocus(event.target));

panel.onBook(() => {
  const ids = store.myHold(clock.now()).seats.map((seat) => seat.id);
  if (ids.length === 0) return;
  panel.setBusy(true);
  send({ type: 'book', seat_ids: ids }, ids).finally(() => panel.setBusy(false));
});

panel.onExtend(() => {
  panel.setBusy(true);
  send({ type: 'extend' }, []).finally(() => panel.setBusy(false));
});

// Countdowns only: seats whose hold ran out turn available locally, the server confirms.
setInterval(() => {
  const now = clock.now();
  const lapsed = store.lapsed(now);
  if (lapsed.length) map.update(lapsed, now);
  refresh(now);
}, 1000);
