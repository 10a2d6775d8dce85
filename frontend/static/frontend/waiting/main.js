// Waiting room page: the visitor's place, pushed over /ws/events/<id>/queue/?line=shared whenever
// the line moves; when the server admits the visitor the page reloads into the seat map.
// The visitor's own `queue.status` comes on connect and when their state changes; every other
// move is the shared `queue.line`, in which the page finds itself by its rank (./line.js).

import { createClock, parseTime } from '../common/clock.js';
import { connect } from '../common/connection.js';
import { showConnection } from '../common/status.js';
import { gettext } from '../common/i18n.js';
import { countdownText } from '../common/texts.js';
import { estimatedWait, placeInLine } from './line.js';
import { countText, placeText, waitText } from './texts.js';

const app = document.getElementById('waiting-app');
const statusElement = document.getElementById('connection-status');
const opening = document.getElementById('opening');
const openingCountdown = document.getElementById('opening-countdown');
const position = document.getElementById('position');
const ahead = document.getElementById('ahead');
const waitingCount = document.getElementById('waiting-count');
const estimate = document.getElementById('estimate');
const message = document.getElementById('waiting-message');
const leaveButton = document.getElementById('leave-queue');
const rejoinButton = document.getElementById('rejoin-queue');

const clock = createClock();
let opensAt = parseTime(app.dataset.opensAt);
// The rank of the visitor's place, from their last queue.status (found in every queue.line).
let rank = null;
let version = -1;
// While staff pause the room nothing opens or moves: no countdown to an opening that waits too.
let paused = false;
// What the estimate is worked out from between pushes ({position, rate_per_minute}): pages far
// back hear of the line rarely, and before the opening it does not move at all, but the time to
// the opening runs down every second.
let waitBasis = null;

function showPlace(place, waiting, estimatedSeconds, isPaused, rate) {
  waitBasis = { position: place.position, rate_per_minute: rate };
  paused = Boolean(isPaused);
  app.dataset.paused = String(paused);
  waitingCount.textContent = countText(waiting);
  position.textContent = placeText(place.position, place.exact);
  position.dataset.position = String(place.position);
  position.dataset.exact = String(place.exact);
  ahead.textContent = placeText(place.position - 1, place.exact);
  estimate.textContent = waitText(estimatedSeconds, paused);
  message.textContent = paused ? gettext('The sale is paused for a moment; you keep your place.') : '';
}

function showLine(line) {
  if (line.version < version) return;
  clock.sync(line.server_time);
  opensAt = parseTime(line.opens_at);
  if (!line.enabled) {
    // The room was turned off: the event's page is the seat map again.
    message.textContent = gettext('The waiting room is closed: opening the seat map…');
    location.reload();
    return;
  }
  const place = placeInLine(line, rank);
  if (place === null || app.dataset.state !== 'waiting') return; // own status follows
  version = line.version;
  app.dataset.version = String(line.version);
  const seconds = estimatedWait(line, place.position, clock.now(), opensAt ?? 0);
  showPlace(place, line.waiting, seconds, line.paused, line.rate_per_minute);
  tick();
}

function show(msg) {
  clock.sync(msg.server_time);
  opensAt = parseTime(msg.opens_at);
  rank = msg.rank ?? null;
  version = msg.version;
  app.dataset.state = msg.state;
  app.dataset.version = String(msg.version);
  waitingCount.textContent = countText(msg.waiting);
  if (msg.state === 'admitted') {
    message.textContent = gettext('It is your turn: opening the seat map…');
    location.reload();
    return;
  }
  if (msg.state === 'waiting') {
    const place = { position: msg.position, exact: true };
    showPlace(place, msg.waiting, msg.estimated_wait_seconds, msg.paused, msg.rate_per_minute);
  } else {
    position.textContent = '–';
    position.dataset.position = '';
    ahead.textContent = '–';
    estimate.textContent = '–';
    message.textContent =
      msg.state === 'lapsed'
        ? gettext('Your turn ran out. Join again to get a new place at the back.')
        : gettext('You left the queue.');
  }
  leaveButton.hidden = msg.state !== 'waiting';
  rejoinButton.hidden = msg.state === 'waiting';
  tick();
}

// This address has its fill of places: no place here, and the socket closes for good.
function refused(msg) {
  app.dataset.state = 'refused';
  message.textContent = msg.message;
  leaveButton.hidden = true;
  rejoinButton.hidden = true;
}

function tick() {
  if (app.dataset.state === 'waiting' && waitBasis !== null && !paused) {
    const seconds = estimatedWait(
      { paused, rate_per_minute: waitBasis.rate_per_minute },
      waitBasis.position,
      clock.now(),
      opensAt ?? 0,
    );
    estimate.textContent = waitText(seconds, paused);
  }
  const left = opensAt === null ? 0 : opensAt - clock.now();
  opening.hidden = paused || left <= 0;
  if (left > 0) openingCountdown.textContent = countdownText(left);
}

const socket = connect(`${app.dataset.wsPath}?line=shared`, {
  onMessage: (msg) => {
    if (msg.type === 'queue.status') show(msg);
    else if (msg.type === 'queue.line') showLine(msg);
    else if (msg.type === 'error' && msg.code === 'too_many_places') refused(msg);
  },
  onStatus: (state) => showConnection(statusElement, state),
});

leaveButton.addEventListener('click', () => socket.send({ type: 'leave' }));
rejoinButton.addEventListener('click', () => location.reload());
setInterval(tick, 1000);
