// WebSocket client: reconnects with jittered exponential backoff and pairs replies with requests.

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;
const REQUEST_TIMEOUT_MS = 15_000;
// A socket the server has not spoken on by then (a handshake or an arrival lost on an
// overloaded server) is given up and tried again, as a visitor would reload: without this the
// page could say "Connecting…" for good.
export const FIRST_FRAME_TIMEOUT_MS = 10_000;
// Reconnecting cannot fix these: the event does not exist, we are not allowed in, or this
// address already has its fill of waiting-room places.
const FINAL_CLOSE_CODES = new Set([4403, 4404, 4409]);

/** A path on this page's origin made absolute; an absolute ws(s) URL stays as it is. */
export function socketUrl(path) {
  if (/^wss?:\/\//.test(path)) return path;
  return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + path;
}

/** Delay before reconnect attempt n: random within [0.5 s, min(10 s, 0.5 s * 2^(n+1))]. */
export function backoffDelay(attempt, random = Math.random) {
  const cap = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** (attempt + 1));
  return MIN_DELAY_MS + random() * (cap - MIN_DELAY_MS);
}

/**
 * Open a self-healing socket. onMessage gets every parsed frame (replies included);
 * onStatus gets 'connecting' | 'open' | 'reconnecting' | 'closed' (with the close code).
 */
export function connect(path, { onMessage, onStatus = () => {} }) {
  const pending = new Map();
  let socket = null;
  let live = false;
  let everLive = false;
  let attempt = 0;
  let retryTimer = null;
  let nextId = 1;
  let stopped = false;

  function open() {
    retryTimer = null;
    onStatus(everLive || attempt > 0 ? 'reconnecting' : 'connecting');
    const ws = new WebSocket(socketUrl(path));
    socket = ws;
    const watchdog = setTimeout(() => {
      if (ws === socket && !live) ws.close();
    }, FIRST_FRAME_TIMEOUT_MS);
    ws.addEventListener('message', (event) => {
      clearTimeout(watchdog);
      if (ws === socket) receive(event.data);
    });
    ws.addEventListener('close', (event) => {
      clearTimeout(watchdog);
      if (ws === socket) closed(event.code);
    });
  }

  function receive(data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      console.warn('Ignoring a frame that is not JSON');
      return;
    }
    if (!msg || typeof msg !== 'object') return;
    // "Live" once the server has spoken (the snapshot comes first), not merely on open.
    if (!live) {
      live = true;
      everLive = true;
      attempt = 0;
      onStatus('open');
    }
    const id = msg.request_id;
    if (id != null && pending.has(String(id))) settle(String(id), (p) => p.resolve(msg));
    onMessage(msg);
  }

  function settle(id, how) {
    const entry = pending.get(id);
    pending.delete(id);
    clearTimeout(entry.timer);
    how(entry);
  }

  function closed(code) {
    socket = null;
    if (stopped) return;
    live = false;
    for (const id of [...pending.keys()]) {
      settle(id, (p) => p.reject(new Error('disconnected')));
    }
    if (FINAL_CLOSE_CODES.has(code)) {
      onStatus('closed', code);
      return;
    }
    onStatus('reconnecting');
    retryTimer = setTimeout(open, backoffDelay(attempt++));
  }

  // Coming back online is a good moment to skip the rest of the backoff.
  function online() {
    if (retryTimer !== null) {
      clearTimeout(retryTimer);
      open();
    }
  }
  window.addEventListener('online', online);

  function isOpen() {
    return socket !== null && socket.readyState === WebSocket.OPEN;
  }

  open();

  return {
    isOpen,
    /** Close for good: no reconnect, pending requests fail. */
    close() {
      stopped = true;
      window.removeEventListener('online', online);
      clearTimeout(retryTimer);
      retryTimer = null;
      const ws = socket;
      socket = null;
      for (const id of [...pending.keys()]) {
        settle(id, (p) => p.reject(new Error('closed')));
      }
      ws?.close();
    },
    /** Send without waiting for a reply; false when the socket is not open. */
    send(msg) {
      if (!isOpen()) return false;
      socket.send(JSON.stringify(msg));
      return true;
    },
    /** Send with a fresh request_id; resolves with the reply (an `error` reply included). */
    request(msg) {
      if (!isOpen()) return Promise.reject(new Error('not connected'));
      const id = `r${nextId++}`;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          if (pending.has(id)) settle(id, (p) => p.reject(new Error('timeout')));
        }, REQUEST_TIMEOUT_MS);
        pending.set(id, { resolve, reject, timer });
        socket.send(JSON.stringify({ ...msg, request_id: id }));
      });
    },
  };
}
