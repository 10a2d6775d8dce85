// Live snapshots: the layout document (every seat's place, fetched once per digest and kept by the
// browser: it never changes) and a `snapshot.live` (who has which seat), made into the full
// snapshot the seat store applies. No DOM: Node's test runner imports it as it is.

/**
 * Layout documents by URL. `fetchJson(url)` resolves with the parsed document; a failed fetch is
 * forgotten, so the next snapshot tries again.
 */
export function createLayouts(fetchJson) {
  const documents = new Map(); // url -> a promise of the document
  const loaded = new Map(); // url -> the document, once it came
  return {
    get(url) {
      if (!documents.has(url)) {
        const loading = fetchJson(url).then(
          (document) => {
            loaded.set(url, document);
            return document;
          },
          (error) => {
            documents.delete(url);
            throw error;
          },
        );
        documents.set(url, loading);
      }
      return documents.get(url);
    },
    /** The document if it came already (a resync at the same layout needs no wait). */
    loaded(url) {
      return loaded.get(url);
    },
  };
}

/**
 * The full snapshot (docs/protocol.md, `snapshot`) that a live snapshot and its layout describe: a
 * seat listed as held, booked or blocked has that status, every other seat is available.
 */
export function expandSnapshot(live, layout) {
  const held = new Map();
  for (const group of live.held ?? []) {
    for (const id of group.seat_ids) held.set(id, group);
  }
  const booked = new Set(live.booked ?? []);
  const blocked = new Set(live.blocked ?? []);
  const seats = (layout.seats ?? []).map((place) => {
    const group = held.get(place.id);
    let status = 'available';
    if (booked.has(place.id)) status = 'booked';
    else if (blocked.has(place.id)) status = 'blocked';
    else if (group) status = 'held';
    return {
      ...place,
      status,
      holder: status === 'held' ? group.holder : null,
      held_until: status === 'held' ? group.held_until : null,
    };
  });
  return {
    type: 'snapshot',
    event: live.event,
    version: live.version,
    you: live.you ?? null,
    server_time: live.server_time ?? null,
    hold: live.hold ?? null,
    categories: live.categories ?? [],
    seats,
    plan: layout.plan ?? null,
    channels: layout.channels ?? [],
    channels_unlocked: live.channels_unlocked ?? [],
  };
}
