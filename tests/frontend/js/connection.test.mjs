// The socket client (common/connection.js): a socket the server never speaks on is given up
// and tried again, instead of leaving the page "Connecting…" for good.

import assert from 'node:assert/strict';
import { mock, test } from 'node:test';

const sockets = [];

class FakeWebSocket {
  static OPEN = 1;
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.listeners = {};
    this.closedByClient = false;
    sockets.push(this);
  }
  addEventListener(type, fn) {
    (this.listeners[type] ??= []).push(fn);
  }
  emit(type, event) {
    for (const fn of this.listeners[type] ?? []) fn(event);
  }
  close() {
    this.closedByClient = true;
    this.readyState = 3;
    this.emit('close', { code: 1006 });
  }
}

globalThis.WebSocket = FakeWebSocket;
globalThis.window = { addEventListener() {}, removeEventListener() {} };
globalThis.location = { protocol: 'http:', host: 'example.test' };

const { connect, FIRST_FRAME_TIMEOUT_MS } = await import(
  '../../../frontend/static/frontend/common/connection.js'
);

test('a socket silent past the first-frame timeout is closed and opened again', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  sockets.length = 0;
  const states = [];
  const frames = [];
  const client = connect('/ws/events/1/', {
    onMessage: (msg) => frames.push(msg),
    onStatus: (state) => states.push(state),
  });
  assert.equal(sockets.length, 1);
  assert.equal(sockets[0].url, 'ws://example.test/ws/events/1/');

  mock.timers.tick(FIRST_FRAME_TIMEOUT_MS - 1);
  assert.equal(sockets[0].closedByClient, false, 'not before its time');
  mock.timers.tick(1);
  assert.equal(sockets[0].closedByClient, true);
  assert.deepEqual(states, ['connecting', 'reconnecting']);

  mock.timers.tick(10_000); // the longest first backoff
  assert.equal(sockets.length, 2, 'tried again');
  // This one speaks: live, and its watchdog never fires.
  sockets[1].readyState = 1;
  sockets[1].emit('message', { data: JSON.stringify({ type: 'snapshot', version: 3 }) });
  assert.equal(states.at(-1), 'open');
  mock.timers.tick(FIRST_FRAME_TIMEOUT_MS * 3);
  assert.equal(sockets[1].closedByClient, false);
  assert.equal(sockets.length, 2);
  assert.deepEqual(frames, [{ type: 'snapshot', version: 3 }]);
  client.close();
  mock.timers.reset();
});
