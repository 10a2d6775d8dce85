// Seat map page: wires the socket, the seat store, the map and its zoom, the list view and the
// side panel.

import { createClock } from '../common/clock.js';
import { connect } from '../common/connection.js';
import { showConnection } from '../common/status.js';
import { errorText } from '../common/texts.js';
import { createActions } from './actions.js';
import { createBestForm } from './best.js';
import { createHoldWatch } from './hold.js';
import { createLegend } from './legend.js';
import { isArrowKey, nearestSeat } from './nav.js';
import { createPanel } from './panel.js';
import { createSeatMap, seatIdOf } from './render.js';
import { createRowList } from './rowlist.js';
import { createSeatStore } from './state.js';
import { createZoom } from './zoom.js';
import { createZoneNav } from './zones.js';

const app = document.getElementById('seatmap-app');
const svg = document.getElementById('seat-map');
const frame = document.getElementById('map-frame');
const statusElement = document.getElementById('connection-status');
const maxPerHolder = Number(app.dataset.maxPerHolder) || Infinity;

const clock = createClock();
const panel = createPanel(document);
const legend = createLegend(document);
const store = createSeatStore({
  eventId: app.dataset.eventId,
  requestSnapshot: () => socket.send({ type: 'snapshot' }),
  onSnapshot: snapshotApplied,
  onChange: seatsChanged,
});
const map = createSeatMap(svg, store);
const zoneNav = createZoneNav(document.getElementById('zone-nav'), {
  onZone: (zone) => zoom.showBox(zone.box),
  onWhole: () => zoom.fit(),
});
const zoom = createZoom(frame, svg, {
  onLayout: () => zoneNav.show(zoom.zones().length, zoom.fitSeatPx()),
  onView: () => zoneNav.clear(zoom.isFit()),
});
const watch = createHoldWatch(
  store,
  panel,
  (text) => panel.say(text),
  Number(app.dataset.holdSeconds) || 300,
);
const socket = connect(app.dataset.wsPath, { onMessage: handle, onStatus: connectionChanged });
const actions = createActions({
  socket,
  store,
  // "Find seats together" brings the first seat it picked into view.
  map: { setPending: map.setPending, reveal: (id) => zoom.reveal(map.centreOf(id)) },
  panel,
  watch,
  clock,
  refresh,
  maxPerHolder,
});
const rowList = createRowList(document.getElementById('seat-list'), store, {
  onPick: actions.act,
  now: () => clock.now(),
});
const best = createBestForm(document.getElementById('best-form'), {
  max: maxPerHolder,
  onFind: (choice) => {
    best.setBusy(true);
    actions.findTogether(choice).finally(() => best.setBusy(false));
  },
});

/**
 * Every frame from the server lands here; unknown types are ignored (the protocol may
 * grow). Replies to our own requests are handled where the request was made.
 */
function handle(msg) {
  switch (msg.type) {
    case 'snapshot':
      clock.sync(msg.server_time);
      store.applySnapshot(msg);
      break;
    case 'seats.changed':
      store.applyChanged(msg);
      break;
    case 'pong':
    case 'heartbeat':
      clock.sync(msg.server_time);
      store.noteVersion(msg);
      break;
    case 'error':
      if (msg.request_id == null) panel.say(errorText(msg, actions.labelOf, maxPerHolder));
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

/** The event version the page has reached, on the root: shows which pushes arrived. */
function showVersion() {
  app.dataset.version = String(store.version());
}

function snapshotApplied() {
  const now = clock.now();
  showVersion();
  map.build(now);
  zoneNav.build(map.geometry().zones);
  zoom.setContent(map.geometry());
  legend.build(store.categories(), [...store.seats()], !store.hasSections());
  best.setCategories(store.categories());
  best.setAccessible([...store.seats()].some((s) => s.wheelchair));
  rowList.reset(now);
  refresh(now);
}

/** One applied seats.changed: patch only the seats it names. */
function seatsChanged(msg, ids) {
  const now = clock.now();
  showVersion();
  watch.changed(msg, ids);
  map.update(ids, now);
  rowList.update(ids, now);
  refresh(now);
}

/** Countdown, panel and legend in line with the store at server time `now`. */
function refresh(now = clock.now()) {
  watch.refresh(now);
  legend.show(map.counts(), map.categoryCounts());
}

svg.addEventListener('click', (event) => {
  const id = seatIdOf(event.target);
  if (id !== null) actions.act(id);
});

svg.addEventListener('keydown', (event) => {
  const id = seatIdOf(event.target);
  if (id === null) return;
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    if (!event.repeat) actions.act(id);
  } else if (isArrowKey(event.key)) {
    event.preventDefault();
    const next = nearestSeat(store.seats(), store.get(id), event.key);
    if (next) map.focusSeat(next.id);
  }
});

svg.addEventListener('focusin', (event) => {
  map.trackFocus(event.target);
  const id = seatIdOf(event.target);
  if (id !== null) zoom.reveal(map.centreOf(id));
});

panel.onBook(actions.book);
panel.onExtend(actions.extend);
panel.onRelease((id) => actions.release([id]));

// Countdowns only: seats whose hold ran out turn available locally, the server confirms.
setInterval(() => {
  const now = clock.now();
  const lapsed = store.lapsed(now);
  if (lapsed.length) {
    map.update(lapsed, now);
    rowList.update(lapsed, now);
  }
  refresh(now);
}, 1000);
