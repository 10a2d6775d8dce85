// Which changes the dashboard already shows: the history on open and the live feed can both
// bring a change committed while the socket opened, and a reconnect brings the history again.
// A change is named by its event and that event's version (one change, one version).

export const REMEMBERED = 5000; // far more than the history (200) and the feed keep

export function createSeenChanges(limit = REMEMBERED) {
  const seen = new Set();
  return {
    /** True the first time a change is offered, false for every copy after it. */
    first(msg) {
      const key = `${msg.event}:${msg.version}`;
      if (seen.has(key)) return false;
      seen.add(key);
      // A Set iterates in insertion order: the oldest key goes first.
      if (seen.size > limit) seen.delete(seen.values().next().value);
      return true;
    },
  };
}
