// Seat map page (seat_map.html): the live map mounted on the page's own markup, its settings
// read from the page's data attributes.

import { mountSeatMap } from './app.js';

const app = document.getElementById('seatmap-app');

mountSeatMap(document, {
  eventId: app.dataset.eventId,
  socketUrl: `${app.dataset.wsPath}?snapshot=live`,
  maxPerHolder: Number(app.dataset.maxPerHolder) || Infinity,
  holdSeconds: Number(app.dataset.holdSeconds) || 300,
  mode: app.dataset.mode,
  staffApi: app.dataset.staffApi ?? null,
  versionElement: app,
});
