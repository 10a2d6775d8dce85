// Staff dashboard: live event counts, active holds and the activity feed over /ws/dashboard/.

import { createClock } from '../seatmap/clock.js';
import { connect } from '../seatmap/connection.js';
import { showConnection } from '../seatmap/status.js';
import { addActivity } from './feed.js';
import { setupRelease } from './release.js';
import { renderEvents, renderHolds, tickHolds } from './tables.js';

const app = document.getElementById('dashboard-app');
const statusElement = document.getElementById('connection-status');
const eventsTable = document.getElementById('event-counts');
const holdsTable = document.getElementById('active-holds');
const noHolds = document.getElementById('no-holds');
const feed = document.getElementById('feed');

const clock = createClock();
const eventNames = new Map();

function eventName(id) {
  return eventNames.get(Number(id)) ?? `Event ${id}`;
}

function handle(msg) {
  switch (msg.type) {
    case 'dashboard.state':
      clock.sync(msg.server_time);
      eventNames.clear();
      for (const event of msg.events ?? []) eventNames.set(Number(event.id), event.name);
      renderEvents(eventsTable, msg.events ?? []);
      renderHolds(holdsTable, msg.holds ?? [], eventName, clock.now());
      noHolds.hidden = (msg.holds ?? []).length > 0;
      break;
    case 'activity':
      addActivity(feed, msg, eventName);
      break;
    default:
      break; // newer server messages we do not know yet
  }
}

connect(app.dataset.wsPath, {
  onMessage: handle,
  onStatus: (state) => showConnection(statusElement, state),
});

setupRelease(
  document.getElementById('release-expired'),
  document.getElementById('release-result'),
  app.dataset.releaseUrl,
);

// Countdown only; fresh numbers arrive by push.
setInterval(() => tickHolds(holdsTable, clock.now()), 1000);
