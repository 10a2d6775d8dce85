// Staff dashboard: live counts, active holds, the activity chart and feed over /ws/dashboard/.
// The chart and feed open with the last hour's changes (activity.history) and go on with the
// live ones; a change that comes both ways is shown once (./seen.js).

import { createClock, parseTime } from '../common/clock.js';
import { connect } from '../common/connection.js';
import { showConnection } from '../common/status.js';
import { createActivityBuffer } from './activity.js';
import { createChart } from './chart.js';
import { addActivity } from './feed.js';
import { releaseHold, setupRelease } from './release.js';
import { createSeenChanges } from './seen.js';
import { createQueuePanel } from './queue.js';
import { createReport } from './report.js';
import { renderEvents, renderHolds, tickHolds } from './tables.js';

const app = document.getElementById('dashboard-app');
const statusElement = document.getElementById('connection-status');
const eventsTable = document.getElementById('event-counts');
const holdsTable = document.getElementById('active-holds');
const noHolds = document.getElementById('no-holds');
const feed = document.getElementById('feed');
const holdsResult = document.getElementById('holds-result');
const queuePanel = createQueuePanel(document.getElementById('queue-panel'));
const report = createReport(document.getElementById('report'));

const clock = createClock();
const eventNames = new Map();
const activity = createActivityBuffer();
const seen = createSeenChanges();
const drawChart = createChart(document.getElementById('activity-chart'), {
  summary: document.getElementById('chart-summary'),
  totals: document.querySelectorAll('[data-total]'),
});
let chartQueued = false;

/** Redraw at most once per animation frame, however many changes arrive. */
function queueChart() {
  if (chartQueued) return;
  chartQueued = true;
  requestAnimationFrame(() => {
    chartQueued = false;
    drawChart(activity.window(clock.now()));
  });
}

function eventName(id) {
  return eventNames.get(Number(id)) ?? `Event ${id}`;
}

/** One change, live or from the history: feed, chart and report, once per change. */
function showChange(msg) {
  if (!seen.first(msg)) return;
  addActivity(feed, msg, eventName);
  report.changed(msg.event);
  activity.add(parseTime(msg.at) ?? clock.now(), msg.reason, (msg.seats ?? []).length);
  queueChart();
}

function handle(msg) {
  switch (msg.type) {
    case 'dashboard.state':
      clock.sync(msg.server_time);
      eventNames.clear();
      for (const event of msg.events ?? []) eventNames.set(Number(event.id), event.name);
      renderEvents(eventsTable, msg.events ?? []);
      report.events(msg.events ?? []);
      queuePanel.events(msg.events ?? []);
      renderHolds(holdsTable, msg.holds ?? [], eventName, clock.now(), (hold, button) =>
        releaseHold(hold, button, holdsResult),
      );
      noHolds.hidden = (msg.holds ?? []).length > 0;
      break;
    case 'activity':
      showChange(msg);
      break;
    case 'activity.history':
      for (const change of msg.changes ?? []) showChange(change);
      break;
    case 'queue.changed':
      queuePanel.changed(msg.event);
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

// Countdowns and the chart's moving window; fresh numbers arrive by push.
drawChart(activity.window(clock.now()));
setInterval(() => {
  tickHolds(holdsTable, clock.now());
  queueChart();
}, 1000);
