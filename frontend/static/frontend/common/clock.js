// Server clock: estimates "now" on the server from the last server_time we received.

export function createClock() {
  // Offset is measured when the frame arrives, so countdowns follow the server, not the
  // visitor's (possibly wrong) wall clock.
  let offset = 0;
  return {
    sync(serverTime) {
      const t = Date.parse(serverTime);
      if (Number.isFinite(t)) offset = t - Date.now();
    },
    now() {
      return Date.now() + offset;
    },
  };
}

/** Parse an ISO time from the server into epoch milliseconds (null when absent). */
export function parseTime(iso) {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
}
