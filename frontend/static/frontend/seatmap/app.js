// The live seat map, mounted on a page (seatmap/main.js) or in an embedded <seat-map>'s shadow
// root (embed/seat-map.js): wires the socket, the seat store, the map and its zoom, the list view
// and the side panel: a customer's (hold, book) or, on the box office page, staff's (select,
// sell, block, release). Everything it touches is found under `root`, a Document or ShadowRoot.

import { createClock } from '../common/clock.js';
import { connect } from '../common/connection.js';
import { showConnection } from '../common/status.js';
import { gettext } from '../common/i18n.js';
import { countdownText, errorText, tapAgainText } from '../common/texts.js';
import { createActions } from './actions.js';
import { createBestForm } from './best.js';
import { createBoxOffice } from './boxoffice.js';
import { createHoldWatch } from './hold.js';
import { createLayouts, expandSnapshot } from './layoutdoc.js';
import { createLegend } from './legend.js';
import { isArrowKey, nearestSeat } from './nav.js';
import { createPanel } from './panel.js';
import { applyParts } from './parts.js';
import { createPresale } from './presale.js';
import { createSeatMap, seatIdOf } from './render.js';
import { createSeatNote } from './seatnote.js';
import { createRowGutter } from './rowgutter.js';
import { createRowList } from './rowlist.js';
import { createStanding } from './standing.js';
import { createSeatStore } from './state.js';
import { createZoom } from './zoom.js';
import { createZoneNav } from './zones.js';

// How long to wait before asking again when a layout document could not be fetched.
const LAYOUT_RETRY_MS = 2000;

/** Layout documents from our own origin, with the page's cookies (the seat map page). */
async function sameOriginJson(url) {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`layout: HTTP ${response.status}`);
  return response.json();
}

/** What a final close of the socket means for the visitor. */
function closedText(code) {
  return code === 4404
    ? gettext('This event does not exist.')
    : gettext('You are not allowed to see this event.');
}

/**
 * Mount the live map of one event on the markup under `root` (seatmap_layout.html).
 *
 * `options`: `socketUrl` (a path on this origin or an absolute ws(s) URL), `maxPerHolder`,
 * `holdSeconds`, `mode` ('public', 'box-office' or 'embed'), `staffApi` (box office),
 * `versionElement` (gets `data-version`), `statusElement`, `fetchLayout(url)`, and `hooks`:
 * `onHold(hold)` after every refresh, `onExpired()`, `onStatus(state, code)`, `onSay(text)`,
 * `onError(reply, text)` for a refused request, `onSnapshot()` once a snapshot is drawn.
 * Returns a handle to act on the map from outside and to `destroy()` it.
 */
export function mountSeatMap(root, options) {
  const {
    socketUrl,
    maxPerHolder = Infinity,
    holdSeconds = 300,
    mode = 'public',
    staffApi = null,
    versionElement = null,
    statusElement = root.getElementById('connection-status'),
    fetchLayout = sameOriginJson,
    hooks = {},
  } = options;
  const svg = root.getElementById('seat-map');
  const frame = root.getElementById('map-frame');
  const boxOfficeMode = mode === 'box-office';
  const embedded = mode === 'embed';

  const clock = createClock();
  const legend = createLegend(root);
  const store = createSeatStore({
    eventId: options.eventId,
    requestSnapshot: () => socket.send({ type: 'snapshot' }),
    onSnapshot: snapshotApplied,
    onChange: seatsChanged,
    staff: boxOfficeMode,
  });
  const map = createSeatMap(svg, store);
  const presale = createPresale(
    root.getElementById('presale-form'),
    root.getElementById('legend-unlocked'),
  );
  const rowGutter = createRowGutter(frame);
  const zoneNav = createZoneNav(root.getElementById('zone-nav'), {
    onZone: (zone) => zoom.showZone(zone.box),
    onWhole: () => zoom.fit(),
  });
  const zoom = createZoom(frame, svg, {
    onLayout: () => zoneNav.show(zoom.zones().length, zoom.fitSeatPx()),
    onView: (view, size) => {
      zoneNav.clear(zoom.isFit());
      const drawn = map.geometry();
      if (drawn) rowGutter.update(view, size, drawn, zoom.seatPx());
    },
    // A first tap on seats too small to pick zoomed in: say so where the finger is.
    onTapZoom: (target) => {
      const id = seatIdOf(target);
      if (id !== null) seatNote?.show(id, tapAgainText());
    },
  });
  // Live snapshots: the map's layout comes once, as a document the browser keeps.
  const layouts = createLayouts(fetchLayout);
  // Frames are handled as they come, except while a snapshot's layout is being fetched: those
  // wait for it (in order), so no change is applied to a map that is about to be replaced.
  let backlog = null;
  function receive(msg) {
    if (backlog) backlog.push(msg);
    else waitFor(handle(msg));
  }
  function waitFor(loading) {
    if (!loading) return;
    backlog = backlog ?? [];
    loading.finally(() => {
      while (backlog.length) {
        const next = handle(backlog.shift());
        if (next) return waitFor(next);
      }
      backlog = null;
    });
  }
  const socket = connect(socketUrl, {
    onMessage: receive,
    onStatus: connectionChanged,
  });

  // The customer's side panel, or staff's box office panel: never both.
  const panel = boxOfficeMode ? null : createPanel(root);
  const boxOffice = boxOfficeMode
    ? createBoxOffice(root.getElementById('box-office'), {
        store,
        svg,
        api: staffApi,
        now: () => clock.now(),
      })
    : null;
  const watch = panel
    ? createHoldWatch(store, panel, (text) => say(text), holdSeconds, hooks.onExpired)
    : null;
  const seatNote = panel ? createSeatNote(frame, svg) : null;
  const actions = panel
    ? createActions({
        socket,
        store,
        map: {
          setPending: map.setPending,
          // "Find seats together" brings the first seat it picked into view.
          reveal: (id) => zoom.reveal(map.centreOf(id)),
          // A refusal is pinned next to the seat it is about.
          note: (id, text) => seatNote.show(id, text),
        },
        panel,
        watch,
        clock,
        refresh,
        maxPerHolder,
        // A refusal the buyer was told about (the embedded map raises its `error` event).
        onError: (reply, text) => hooks.onError?.(reply, text),
      })
    : null;
  function say(text) {
    (panel ?? boxOffice).say(text);
    hooks.onSay?.(text);
  }
  const labelOf = (id) => store.get(id)?.label ?? String(id);
  /** A click, Enter/Space or a list button on a seat. */
  const act = (id) => (boxOffice ? boxOffice.toggle(id) : actions.act(id));
  const rowList = createRowList(root.getElementById('seat-list'), store, {
    onPick: act,
    now: () => clock.now(),
  });
  const standing = createStanding({
    layer: svg.querySelector('.standing'),
    store,
    form: root.getElementById('standing-form'),
    // Staff select places to sell, as they select seats; buyers hold them.
    onHold: (area, quantity) =>
      boxOffice ? boxOffice.selectPlaces(area, quantity) : actions.holdPlaces(area, quantity),
    maxPerHolder: boxOffice ? Infinity : maxPerHolder,
    now: () => clock.now(),
  });
  const bestForm = root.getElementById('best-form');
  const best = bestForm
    ? createBestForm(bestForm, {
        max: maxPerHolder,
        onFind: (choice) => {
          best.setBusy(true);
          actions.findTogether(choice).finally(() => best.setBusy(false));
        },
      })
    : null;

  /**
   * Every frame from the server lands here; unknown types are ignored (the protocol may
   * grow). Replies to our own requests are handled where the request was made. Returns a
   * promise while a live snapshot's layout is being fetched (`receive` holds the rest).
   */
  function handle(msg) {
    switch (msg.type) {
      case 'snapshot.live': {
        const layout = layouts.loaded(msg.layout.url);
        if (layout) {
          applySnapshot(expandSnapshot(msg, layout));
          break;
        }
        // The first snapshot of this layout: the frames after it wait until it is drawn.
        return layouts.get(msg.layout.url).then(
          (fetched) => applySnapshot(expandSnapshot(msg, fetched)),
          () => {
            say(gettext('The seat map could not be loaded; trying again.'));
            setTimeout(() => socket.send({ type: 'snapshot' }), LAYOUT_RETRY_MS);
          },
        );
      }
      case 'snapshot':
        applySnapshot(msg);
        break;
      case 'seats.changed':
        store.applyChanged(msg);
        break;
      case 'plan.changed':
        store.planChanged(msg);
        break;
      case 'pong':
      case 'heartbeat':
        clock.sync(msg.server_time);
        store.noteVersion(msg);
        break;
      case 'error':
        if (msg.request_id == null) say(errorText(msg, labelOf, maxPerHolder));
        break;
      default:
        break;
    }
  }

  function applySnapshot(snapshot) {
    clock.sync(snapshot.server_time);
    store.applySnapshot(snapshot);
  }

  function connectionChanged(state, code) {
    if (statusElement) showConnection(statusElement, state);
    hooks.onStatus?.(state, code);
    if (state === 'closed' && !hooks.onStatus) say(closedText(code));
  }

  /** The event version the page has reached, on the root: shows which pushes arrived. */
  function showVersion() {
    if (versionElement) versionElement.dataset.version = String(store.version());
  }

  function snapshotApplied() {
    const now = clock.now();
    showVersion();
    map.build(now);
    standing.build(map.geometry().unit, now);
    zoneNav.build(map.geometry().zones);
    zoom.setContent(map.geometry());
    legend.build(store.categories(), [...store.seats()], !store.hasSections(), store.plan());
    best?.setCategories(store.categories());
    best?.setAccessible([...store.seats()].some((s) => s.wheelchair));
    boxOffice?.reset();
    rowList.reset(now);
    presale.show(store.unlockedChannels(now));
    // Standing areas and zone buttons are new after every build: they get their parts too.
    applyParts(root);
    refresh(now);
    hooks.onSnapshot?.();
  }

  /** One applied seats.changed: patch only the seats it names. */
  function seatsChanged(msg, ids) {
    const now = clock.now();
    showVersion();
    watch?.changed(msg, ids);
    boxOffice?.changed(ids);
    map.update(ids, now);
    standing.update(now);
    rowList.update(ids, now);
    refresh(now);
  }

  /** Seats per status per category, standing places added (the map draws areas, not places). */
  function withPlaces(seatCounts, placeCounts) {
    if (!placeCounts.size) return seatCounts;
    const merged = new Map([...seatCounts].map(([code, tally]) => [code, { ...tally }]));
    for (const [code, tally] of placeCounts) {
      const into = merged.get(code) ?? {};
      for (const [status, n] of Object.entries(tally)) into[status] = (into[status] ?? 0) + n;
      merged.set(code, into);
    }
    return merged;
  }

  /** Countdown, panel and legend in line with the store at server time `now`. */
  function refresh(now = clock.now()) {
    const hold = watch?.refresh(now);
    if (hold) hooks.onHold?.(hold);
    legend.show(map.counts(), withPlaces(map.categoryCounts(), standing.categoryCounts(now)));
  }

  svg.addEventListener('click', (event) => {
    const id = seatIdOf(event.target);
    if (id !== null) act(id);
  });

  svg.addEventListener('keydown', (event) => {
    const id = seatIdOf(event.target);
    if (id === null) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      if (!event.repeat) act(id);
    } else if (isArrowKey(event.key)) {
      event.preventDefault();
      const next = nearestSeat(store.seats(), store.get(id), event.key);
      if (next) map.focusSeat(next.id);
    }
  });

  svg.addEventListener('focusin', (event) => {
    map.trackFocus(event.target);
    const id = seatIdOf(event.target);
    if (id !== null) zoom.reveal(map.centreOf(id));
  });

  // Part names for ::part() styling of an embedded map (docs/themes.md).
  applyParts(root);

  if (panel) {
    if (!embedded) panel.onBook(actions.book);
    panel.onExtend(actions.extend);
    // At a table sold whole, "Release" gives back the whole table (the server
    // refuses part of it).
    panel.onRelease((id) => actions.release(store.groupOf(id)));
  }

  // After a waiting room: the admission's countdown; once it is over and nothing is held, the
  // page goes back to the waiting room (the server decides: a reload asks it).
  const admission = root.getElementById('admission');
  const admissionEnds = admission ? Date.parse(admission.dataset.until) : null;
  function tickAdmission(now) {
    if (!admission) return;
    const left = admissionEnds - now;
    admission.querySelector('.admission-left').textContent = countdownText(Math.max(0, left));
    if (left <= 0 && store.myHold(now).seats.length === 0) location.reload();
  }

  // Countdowns only: seats whose hold ran out turn available locally, the server confirms.
  const ticker = setInterval(() => {
    const now = clock.now();
    const released = store.released(now);
    const lapsed = [...store.lapsed(now), ...released];
    // A channel that just released its seats no longer needs its legend line.
    if (released.length) presale.show(store.unlockedChannels(now));
    if (lapsed.length) {
      map.update(lapsed, now);
      standing.update(now);
      rowList.update(lapsed, now);
    }
    refresh(now);
    tickAdmission(now);
  }, 1000);

  return {
    socket,
    store,
    /** The viewer's hold at server time now: `{seats, until}`. */
    myHold: () => store.myHold(clock.now()),
    /** Give back these seats of the viewer's hold (all of it when `ids` is omitted). */
    release: (ids) => (actions ? actions.release(ids ?? store.myHold(clock.now()).seats.map((s) => s.id)) : null),
    say,
    /** Stop the socket and the timers; the markup stays as it is. */
    destroy() {
      clearInterval(ticker);
      socket.close();
      zoom.destroy?.();
    },
  };
}
