// Waiting room page: the visitor's place, pushed over /ws/events/<id>/queue/ whenever the
// line moves; when the server admits the visitor the page reloads into the seat map.

import { createClock, parseTime } from '../common/clock.js';
import { connect } from '../common/connection.js';
import { showConnection } from '../common/status.js';
import { countdownText } from '../common/texts.js';
import { waitText } from './texts.js';

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

function show(msg) {
  clock.sync(msg.server_time);
  opensAt = parseTime(msg.opens_at);
  app.dataset.state = msg.state;
  app.dataset.version = String(msg.version);
  waitingCount.textContent = String(msg.waiting);
  if (msg.state === 'admitted') {
    message.textContent = 'It is your turn: opening the seat map…';
    location.reload();
    return;
  }
  if (msg.state === 'waiting') {
    position.textContent = String(msg.position);
    position.dataset.position = String(msg.position);
    ahead.textContent = String(msg.position - 1);
    estimate.textContent = waitText(msg.estimated_wait_seconds, msg.paused);
    message.textContent = msg.paused ? 'The sale is paused for a moment; you keep your place.' : '';
  } else {
    position.textContent = '–';
    position.dataset.position = '';
    ahead.textContent = '–';
    estimate.textContent = '–';
    message.textContent =
      msg.state === 'lapsed'
        ? 'Your turn ran out. Join again to get a new place at the back.'
        : 'You left the queue.';
  }
  leaveButton.hidden = msg.state !== 'waiting';
  rejoinButton.hidden = msg.state === 'waiting';
  tick();
}

function tick() {
  const left = opensAt === null ? 0 : opensAt - clock.now();
  opening.hidden = left <= 0;
  if (left > 0) openingCountdown.textContent = countdownText(left);
}

const socket = connect(app.dataset.wsPath, {
  onMessage: (msg) => {
    if (msg.type === 'queue.status') show(msg);
  },
  onStatus: (state) => showConnection(statusElement, state),
});

leaveButton.addEventListener('click', () => socket.send({ type: 'leave' }));
rejoinButton.addEventListener('click', () => location.reload());
setInterval(tick, 1000);
