// Seat store: applies snapshots and versioned seats.changed messages, derives each seat's UI status.
// No DOM, no socket: Node's test runner imports it as it is (tests/frontend/js/).

import { parseTime } from '../common/clock.js';
import { planOrder, rowRanks } from './order.js';

// How long an out-of-order message may wait for the missing one before we resync.
const GAP_WAIT_MS = 1000;

/** The first version a seats.changed covers: `from_version` when coalesced. */
export function firstVersion(msg) {
  return typeof msg.from_version === 'number' ? msg.from_version : msg.version;
}

export function byPosition(a, b) {
  return a.y - b.y || a.x - b.x;
}

/**
 * callbacks: requestSnapshot() when a version gap does not fill; onSnapshot() after a
 * snapshot replaced everything; onChange(msg, seatIds) after each applied seats.changed.
 * `timers` (setTimeout/clearTimeout) lets tests run the gap wait on a fake clock.
 */
export function createSeatStore({
  eventId,
  requestSnapshot,
  onSnapshot,
  onChange,
  timers = globalThis,
  staff = false, // the box office: every channel's seats are on sale to staff
}) {
  const seats = new Map(); // id -> seat (snapshot fields plus `until`, ms)
  // Places of standing areas (`area` set): held, booked and expiring like seats, kept apart so
  // that everything that draws or lists seats never sees them (standing.js counts them).
  const places = new Map();
  const wholeTables = new Map(); // table key -> the ids of its seats, for tables sold whole
  const categories = new Map(); // code -> category
  const mine = new Set(); // ids held by us according to the server (ignoring the clock)
  const ticking = new Set(); // held ids whose expiry the clock has not passed yet
  const buffer = new Map(); // first version covered -> early seats.changed message
  let you = null;
  let version = null;
  // The newest version the server said exists (heartbeat, pong): ahead of
  // `version` means a broadcast was lost, and a resync follows the gap wait.
  let known = null;
  let maxUntil = null;
  let gapTimer = null;
  let sections = 0;
  let plan = null; // { name, width, height, areas } of the last snapshot
  let listOrder = planOrder(new Map()); // compares seats for lists, from the last snapshot
  // Sales channels (docs/protocol.md, `channels`): id -> { name, until (ms or null) }, the ones
  // this viewer unlocked, and those whose release the clock has already reported.
  const channels = new Map();
  const unlocked = new Set();
  const releasedChannels = new Set();

  function index(seat) {
    const held = seat.status === 'held';
    held ? ticking.add(seat.id) : ticking.delete(seat.id);
    held && seat.holder === you ? mine.add(seat.id) : mine.delete(seat.id);
  }

  function setState(seat, entry) {
    seat.status = entry.status;
    seat.holder = entry.holder ?? null;
    seat.held_until = entry.held_until ?? null;
    seat.until = parseTime(seat.held_until);
    index(seat);
  }

  function lookup(id) {
    return seats.get(id) ?? places.get(id);
  }

  function apply(msg) {
    version = msg.version;
    const hadSeats = mine.size > 0;
    const ids = [];
    for (const entry of msg.seats ?? []) {
      const seat = lookup(entry.id);
      if (!seat) continue; // a seat we never drew; the next snapshot will bring it
      setState(seat, entry);
      ids.push(seat.id);
    }
    if (hadSeats && mine.size === 0) maxUntil = null; // that hold is over; a new one has its own
    onChange(msg, ids);
  }

  function clearGap() {
    timers.clearTimeout(gapTimer);
    gapTimer = null;
  }

  function armGap(restart) {
    if (gapTimer !== null && !restart) return;
    clearGap();
    gapTimer = timers.setTimeout(() => {
      gapTimer = null;
      if (behind()) requestSnapshot();
    }, GAP_WAIT_MS);
  }

  function behind() {
    return buffer.size > 0 || (known !== null && version !== null && known > version);
  }

  /** Apply buffered successors in order; resync later if a gap remains. */
  function drain() {
    let progressed = false;
    for (let next = follower(); next !== null; next = follower()) {
      buffer.delete(firstVersion(next));
      apply(next);
      progressed = true;
    }
    for (const [first, msg] of buffer) if (msg.version <= version) buffer.delete(first);
    if (!behind()) clearGap();
    else armGap(progressed);
  }

  /** A buffered message that carries version + 1 (and newer), or null. */
  function follower() {
    for (const msg of buffer.values()) {
      if (firstVersion(msg) <= version + 1 && msg.version > version) return msg;
    }
    return null;
  }

  function isOurs(msg) {
    return msg.event == null || Number(msg.event) === Number(eventId);
  }

  return {
    applySnapshot(msg) {
      if (!isOurs(msg)) return;
      seats.clear();
      places.clear();
      wholeTables.clear();
      categories.clear();
      mine.clear();
      ticking.clear();
      you = msg.you ?? null;
      version = msg.version;
      maxUntil = parseTime(msg.hold?.max_until);
      plan = msg.plan ?? null;
      for (const c of msg.categories ?? []) categories.set(c.code, c);
      channels.clear();
      unlocked.clear();
      releasedChannels.clear();
      for (const c of msg.channels ?? []) {
        channels.set(c.id, { name: c.name, until: parseTime(c.releases_at) });
      }
      for (const id of msg.channels_unlocked ?? []) unlocked.add(id);
      const sectionNames = new Set();
      for (const s of msg.seats ?? []) {
        const seat = { ...s };
        if (seat.area) {
          places.set(seat.id, seat);
        } else {
          seats.set(seat.id, seat);
          sectionNames.add(seat.section);
        }
        setState(seat, s);
      }
      sections = sectionNames.size;
      const whole = new Set(
        (plan?.tables ?? []).filter((t) => t.booking !== 'seats').map((t) => t.key),
      );
      for (const seat of seats.values()) {
        if (!seat.table || !whole.has(seat.table)) continue;
        const ids = wholeTables.get(seat.table) ?? [];
        ids.push(seat.id);
        wholeTables.set(seat.table, ids);
      }
      listOrder = planOrder(rowRanks(seats.values()));
      clearGap();
      onSnapshot();
      drain();
    },

    applyChanged(msg) {
      if (!isOurs(msg)) return;
      if (version === null) {
        // Before the first snapshot: kept, and replayed on top of it if newer.
        buffer.set(firstVersion(msg), msg);
        return;
      }
      if (msg.version <= version) return; // already seen or part of the snapshot
      // A coalesced message covers from_version..version: it follows ours when
      // it starts at or before the next version (its seat states are absolute).
      if (firstVersion(msg) <= version + 1) {
        apply(msg);
        drain();
      } else {
        buffer.set(firstVersion(msg), msg);
        armGap(false);
      }
    },

    /**
     * plan.changed: the event's seating plan changed (seats moved, came or went), at its
     * own version. No seats.changed can describe that: reload the snapshot at once.
     */
    planChanged(msg) {
      if (!isOurs(msg) || typeof msg.version !== 'number') return;
      if (version !== null && msg.version <= version) return; // our snapshot has it
      if (known === null || msg.version > known) known = msg.version;
      clearGap();
      requestSnapshot();
    },

    /**
     * A heartbeat or pong: the event's version on the server now. If we are behind it
     * and the missing seats.changed do not arrive within the gap wait, resync.
     */
    noteVersion(msg) {
      if (!isOurs(msg) || typeof msg.version !== 'number') return;
      if (known === null || msg.version > known) known = msg.version;
      if (behind()) armGap(false);
    },

    /** The version of the last snapshot or seats.changed applied (null before any). */
    version() {
      return version;
    },
    /** A seat or a standing place by id. */
    get(id) {
      return lookup(id);
    },
    /** The seats (never the standing places). */
    seats() {
      return seats.values();
    },
    /** The standing areas' places. */
    places() {
      return places.values();
    },
    isPlace(id) {
      return places.has(id);
    },
    /** The seats a click on seat `id` is about: its whole table's when the table is sold
     *  whole, else the seat alone. */
    groupOf(id) {
      const table = seats.get(id)?.table;
      const ids = table ? wholeTables.get(table) : null;
      return ids ? [...ids].sort((a, b) => a - b) : [id];
    },
    /** Compares two seats for lists: plan order (order.js), rows from the snapshot. */
    listOrder(a, b) {
      return listOrder(a, b);
    },
    category(code) {
      return categories.get(code);
    },
    firstCategory() {
      return categories.values().next().value;
    },
    categories() {
      return [...categories.values()];
    },
    /** The plan's extent and areas from the last snapshot (null before one, or from old servers). */
    plan() {
      return plan;
    },
    hasSections() {
      return sections > 1;
    },
    maxUntil() {
      return maxUntil;
    },
    /** The latest our hold can be extended to (ms), learnt after the snapshot. */
    setMaxUntil(ms) {
      if (ms !== null) maxUntil = ms;
    },

    /**
     * The channel keeping this seat while it is active at server time `now` (null otherwise):
     * { id, name, unlocked }. Its seats are not on sale unless unlocked (or at the box office).
     */
    keptBy(seat, now) {
      const channel = seat.channel == null ? undefined : channels.get(seat.channel);
      if (!channel || (channel.until !== null && channel.until <= now)) return null;
      return { id: seat.channel, name: channel.name, unlocked: staff || unlocked.has(seat.channel) };
    },

    /** available | held | held-by-me | booked | blocked, with expired holds shown as available
     * and seats of a channel the viewer has not unlocked as not on sale (blocked). */
    uiStatus(seat, now) {
      const lapsed = seat.status === 'held' && seat.until !== null && seat.until <= now;
      if (seat.status === 'available' || lapsed) {
        // Free again (a lapsed hold too): on sale unless a channel keeps it from us.
        const kept = this.keptBy(seat, now);
        return kept && !kept.unlocked ? 'blocked' : 'available';
      }
      if (seat.status !== 'held') return seat.status;
      return seat.holder === you ? 'held-by-me' : 'held';
    },

    /** The active channels this viewer unlocked at server time `now`: [{ id, name }]. */
    unlockedChannels(now) {
      const list = [];
      for (const [id, channel] of channels) {
        if (!unlocked.has(id) || (channel.until !== null && channel.until <= now)) continue;
        list.push({ id, name: channel.name });
      }
      return list;
    },

    /** Seats whose channel released them to general sale by our clock (each reported once). */
    released(now) {
      const ids = [];
      for (const [id, channel] of channels) {
        if (channel.until === null || channel.until > now || releasedChannels.has(id)) continue;
        releasedChannels.add(id);
        for (const seat of [...seats.values(), ...places.values()]) {
          if (seat.channel === id) ids.push(seat.id);
        }
      }
      return ids;
    },

    /** Held seats whose time has just passed by our clock (each reported once). */
    lapsed(now) {
      const ids = [];
      for (const id of ticking) {
        const seat = lookup(id);
        if (seat.until !== null && seat.until <= now) {
          ticking.delete(id);
          ids.push(id);
        }
      }
      return ids;
    },

    /** Our live hold: its seats in plan order and when it ends (null when empty). */
    myHold(now) {
      const list = [];
      let until = null;
      for (const id of mine) {
        const seat = lookup(id);
        if (seat.until !== null && seat.until <= now) continue;
        list.push(seat);
        if (seat.until !== null && (until === null || seat.until > until)) until = seat.until;
      }
      list.sort(listOrder);
      return { seats: list, until };
    },
  };
}
