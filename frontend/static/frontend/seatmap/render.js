// Seat map drawing: builds the SVG once per snapshot, then patches only the seats that changed.
// Seats sit at their plan coordinates, scaled to "world" units (see layout.js); zooming and
// panning only move the viewBox (zoom.js), so nothing here runs again for them.

import { focusedIn, svgEl } from '../common/dom.js';
import { gettext, interpolate } from '../common/i18n.js';
import { seatDescription, seatName } from '../common/texts.js';
import { drawAreas, areaBounds } from './areas.js';
import { flagMark, flagWords, flagsOf } from './flags.js';
import {
  PITCH,
  SEAT,
  boundsOf,
  hullPath,
  pad,
  rowEnds,
  rowsOf,
  scaleBox,
  seatPitch,
  union,
  zonesOf,
} from './layout.js';
import { categoryRules } from './palette.js';
import { seatPart } from './parts.js';
import { tableAreas } from './tables.js';
import { byPosition } from './state.js';

const HALF = SEAT / 2;
const LABEL_GAP = 20; // world units from a row's end seat's centre to its row label
const LABEL_ROOM = 36; // room for the row labels beside the seats
const ZONE_PAD = 8; // around the seats of a zone, inside its outline
const STAGE_GAP = 20; // from the front row to a drawn-in stage (venues without areas)
const STAGE_DEPTH = 28;
const MARGIN = 12;
// Non-colour cues: a stroke across held seats, a cross on booked ones, a bar on blocked ones.
const MARKS = { held: 'M3 17L17 3', booked: 'M5 5L15 15M15 5L5 15', blocked: 'M4 10L16 10' };
const STATUSES = ['available', 'held', 'held-by-me', 'booked', 'blocked'];

function seatTemplate() {
  const g = svgEl('g', { class: 'seat', role: 'button', tabindex: '-1' });
  // The mark comes last: it strikes through the number (and any flag) of a taken seat.
  g.append(
    svgEl('rect', { width: SEAT, height: SEAT, rx: 4 }),
    svgEl('text', { x: HALF, y: HALF + 3.5 }),
    svgEl('path', { class: 'seat-mark', d: '' }),
  );
  return g;
}

function zeroCounts() {
  return Object.fromEntries(STATUSES.map((s) => [s, 0]));
}

export function seatIdOf(target) {
  const el = target instanceof Element ? target.closest('.seat[data-seat-id]') : null;
  return el ? Number(el.getAttribute('data-seat-id')) : null;
}

/**
 * `svg` holds the layers (areas, zones, stage, row labels, seats) of the page's template.
 * After build(), geometry() says what zoom.js needs: the world box of everything drawn,
 * the seat pitch and each zone's box.
 */
export function createSeatMap(svg, store) {
  const areaLayer = svg.querySelector('.areas');
  const zoneLayer = svg.querySelector('.zones');
  const tableLayer = svg.querySelector('.tables');
  const stage = svg.querySelector('.stage');
  const rowLayer = svg.querySelector('.row-labels');
  const seatLayer = svg.querySelector('.seats');
  // Category colours as a constructed sheet of the map's own root (the page or the embedded
  // map's shadow root): no <style> element, which a strict Content-Security-Policy refuses.
  const colours = new CSSStyleSheet();
  const sheetRoot = svg.getRootNode();
  sheetRoot.adoptedStyleSheets = [...sheetRoot.adoptedStyleSheets, colours];
  const template = seatTemplate();
  let elements = new Map(); // seat id -> <g>
  let centres = new Map(); // seat id -> its centre in world units
  let counts = zeroCounts();
  let byCategory = new Map(); // category code -> counts per status
  let names = new Map(); // seat id -> its accessible name without the status
  let tabStop = null; // the one seat reachable with Tab (roving tabindex)
  let geometry = null;

  function nameOf(seat, now) {
    const base = seatName(seat, store.category(seat.category), store.hasSections());
    const words = flagWords(seat, (id) => store.get(id)?.label ?? null);
    const kept = store.keptBy(seat, now);
    if (kept) words.push(keptText(kept));
    return words.length ? `${base}, ${words.join(', ')}` : base;
  }

  /** Set status, label and mark of one seat; a no-op when the status is unchanged (a kept
   * seat's channel marks are brought up to date whatever). */
  function paint(g, seat, status, now) {
    const old = g.getAttribute('data-status');
    if (seat.channel != null) {
      const kept = store.keptBy(seat, now);
      g.classList.toggle('is-kept', Boolean(kept));
      g.classList.toggle('is-unlocked', Boolean(kept?.unlocked));
      keptTitle(g, kept);
      // Its name says its channel while the channel keeps it.
      names.set(seat.id, nameOf(seat, now));
      g.setAttribute('aria-label', seatDescription(names.get(seat.id), status));
    }
    if (old === status) return;
    let perCategory = byCategory.get(seat.category);
    if (!perCategory) byCategory.set(seat.category, (perCategory = zeroCounts()));
    for (const tally of [counts, perCategory]) {
      if (old in tally) tally[old] -= 1;
      if (status in tally) tally[status] += 1;
    }
    g.setAttribute('data-status', status);
    g.setAttribute('part', seatPart(status)); // for ::part() from a host page (parts.js)
    let name = names.get(seat.id);
    if (name === undefined) {
      name = nameOf(seat, now);
      names.set(seat.id, name);
    }
    g.setAttribute('aria-label', seatDescription(name, status));
    g.lastChild.setAttribute('d', MARKS[status] ?? '');
  }

  function moveTabStop(id) {
    if (tabStop === id) return;
    elements.get(tabStop)?.setAttribute('tabindex', '-1');
    elements.get(id)?.setAttribute('tabindex', '0');
    tabStop = id;
  }

  function drawSeat(seat, unit, now) {
    const g = template.cloneNode(true);
    g.setAttribute('data-seat-id', seat.id);
    g.setAttribute('data-category', seat.category);
    const centre = { x: seat.x * unit, y: seat.y * unit };
    centres.set(seat.id, centre);
    g.setAttribute('transform', `translate(${round(centre.x - HALF)} ${round(centre.y - HALF)})`);
    const flags = flagsOf(seat);
    if (flags.includes('wheelchair')) g.classList.add('is-wheelchair');
    else g.children[1].textContent = seat.number;
    for (const flag of flags) g.insertBefore(flagMark(flag), g.lastChild);
    if (flags.length || seat.note) {
      const tip = flagWords(seat, (id) => store.get(id)?.label).join('; ');
      g.dataset.tip = tip;
      g.insertBefore(svgEl('title', {}, tip), g.firstChild);
    }
    paint(g, seat, store.uiStatus(seat, now), now);
    elements.set(seat.id, g);
    return g;
  }

  function drawRowLabels(list, unit) {
    const frag = document.createDocumentFragment();
    for (const { row, first, last } of rowEnds(list)) {
      const ends = [
        [first.x * unit - LABEL_GAP, first.y * unit, 'left'],
        [last.x * unit + LABEL_GAP, last.y * unit, 'right'],
      ];
      for (const [x, y, side] of ends) {
        frag.append(svgEl('text', { class: `row-label ${side}`, x: round(x), y: round(y + 4) }, row));
      }
    }
    rowLayer.replaceChildren(frag);
  }

  /**
   * A light outline per zone, when there is more than one, named unless the plan already
   * writes the name in an area; returns their world boxes.
   */
  function drawZones(list, unit, areas) {
    const written = new Set(areas.map((a) => String(a.text ?? '').trim().toLowerCase()));
    const zones = zonesOf(list);
    if (zones.length < 2) {
      zoneLayer.replaceChildren();
      return [];
    }
    const frag = document.createDocumentFragment();
    const out = [];
    for (const zone of zones) {
      const hull = zone.hull.map((p) => ({ x: p.x * unit, y: p.y * unit }));
      const box = scaleBox(zone.box, unit);
      const d = hullPath(hull);
      const g = svgEl('g', { class: 'zone', 'data-zone': zone.name });
      const labelY = box.y - HALF - ZONE_PAD - 8;
      g.append(
        svgEl('path', { class: 'zone-edge', d, 'stroke-width': 2 * (HALF + ZONE_PAD) + 2 }),
        svgEl('path', { class: 'zone-fill', d, 'stroke-width': 2 * (HALF + ZONE_PAD) }),
        svgEl('text', { class: 'zone-label', x: round(box.x + box.width / 2), y: round(labelY) }),
      );
      if (written.has(zone.name.trim().toLowerCase())) g.lastChild.remove();
      else g.lastChild.textContent = zone.name;
      frag.append(g);
      const labelled = union([box, { ...box, y: labelY - 14, height: 0 }]);
      out.push({ name: zone.name, box: pad(labelled, LABEL_ROOM, HALF) });
    }
    zoneLayer.replaceChildren(frag);
    return out;
  }

  /** Venues without areas get the stage drawn in front of the first row, as ever. */
  function drawStage(seatBox) {
    const box = {
      x: seatBox.x,
      y: seatBox.y - STAGE_GAP - STAGE_DEPTH,
      width: seatBox.width,
      height: STAGE_DEPTH,
    };
    const [shape, label] = stage.children;
    shape.setAttribute('x', round(box.x));
    shape.setAttribute('y', round(box.y));
    shape.setAttribute('width', round(box.width));
    shape.setAttribute('height', box.height);
    label.setAttribute('x', round(box.x + box.width / 2));
    label.setAttribute('y', round(box.y + 19));
    return box;
  }

  function drawFrame(list, now) {
    const plan = store.plan();
    const areas = plan?.areas ?? [];
    const unit = PITCH / seatPitch(list);
    colours.replaceSync(categoryRules(store.categories()));
    const tables = tableAreas(plan?.tables);
    drawAreas(areaLayer, areas);
    // Over the zones' outlines (which would hide them), under the seats.
    if (tableLayer) {
      drawAreas(tableLayer, tables);
      tableLayer.setAttribute('transform', `scale(${unit})`);
    }
    areaLayer.setAttribute('transform', `scale(${unit})`);
    const frag = document.createDocumentFragment();
    for (const seat of list) frag.append(drawSeat(seat, unit, now));
    seatLayer.replaceChildren(frag);
    // A table's name is written on it: its seats get no row letters.
    drawRowLabels(
      list.filter((seat) => !seat.table),
      unit,
    );
    const seatBox = pad(boundsOf([...centres.values()]) ?? { x: 0, y: 0, width: 0, height: 0 }, HALF);
    const zones = drawZones(list, unit, areas);
    stage.toggleAttribute('hidden', areas.length > 0);
    const stageBox = areas.length ? null : drawStage(seatBox);
    // Standing areas are drawn by standing.js; the whole map must hold them too.
    const standing = (plan?.standing ?? []).filter((s) => s.outline).map((s) => s.outline);
    const areaBoxes = [...areas, ...tables, ...standing].map((area) =>
      scaleBox(areaBounds(area), unit),
    );
    const box = pad(
      union([
        pad(seatBox, LABEL_ROOM, HALF),
        stageBox,
        ...zones.map((z) => z.box),
        ...areaBoxes,
      ]),
      MARGIN,
    );
    // Each row's seat centres, left to right, for the row letters kept on screen.
    const rows = rowsOf(list.filter((seat) => !seat.table)).map((row) => ({
      row: row[0].row,
      points: row.map((seat) => centres.get(seat.id)),
    }));
    return { box, pitch: PITCH, zones, rows, labelGap: LABEL_GAP, unit };
  }

  return {
    /** Replace the whole map with the store's seats (after a snapshot). */
    build(now) {
      const focused = seatIdOf(focusedIn(svg));
      const list = [...store.seats()].sort(byPosition);
      elements = new Map();
      centres = new Map();
      counts = zeroCounts();
      byCategory = new Map();
      names = new Map();
      geometry = drawFrame(list, now);
      svg.removeAttribute('aria-busy');

      const previous = tabStop;
      tabStop = null;
      const start = [focused, previous, list[0]?.id].find((id) => elements.has(id));
      if (start !== undefined) moveTabStop(start);
      if (focused !== null && elements.has(focused)) {
        elements.get(focused).focus({ preventScroll: true });
      }
    },

    /** What was drawn, in world units: { box, pitch, zones: [{ name, box }],
     *  rows: [{ row, points }], labelGap, unit (world units per plan unit) }. */
    geometry() {
      return geometry;
    },

    /** A seat's centre in world units (undefined for an unknown seat). */
    centreOf(id) {
      return centres.get(id);
    },

    /** Repaint the given seats only. */
    update(ids, now) {
      for (const id of ids) {
        const g = elements.get(id);
        const seat = store.get(id);
        if (g && seat) paint(g, seat, store.uiStatus(seat, now), now);
      }
    },

    setPending(ids, pending) {
      for (const id of ids) elements.get(id)?.classList.toggle('is-pending', pending);
    },

    focusSeat(id) {
      const g = elements.get(id);
      if (!g) return;
      moveTabStop(id);
      g.focus({ preventScroll: true });
    },

    /** Keep the Tab stop on whichever seat got focus (by click or keyboard). */
    trackFocus(target) {
      const id = seatIdOf(target);
      if (id !== null && elements.has(id)) moveTabStop(id);
    },

    /** Seats per status, kept up to date by every paint (no recount). */
    counts() {
      return counts;
    },

    /** Seats per status for each price category code. */
    categoryCounts() {
      return byCategory;
    },
  };
}

/** "kept for Members presale" (not on sale), or "Members presale seat" (unlocked). */
export function keptText(kept) {
  const text = kept.unlocked ? gettext('%(channel)s seat') : gettext('kept for %(channel)s');
  return interpolate(text, { channel: kept.name }, true);
}

/** A kept seat's tooltip (its <title>): the channel, while it keeps the seat. */
function keptTitle(g, kept) {
  // One tooltip (a browser shows only the first <title>): the channel, then the
  // seat's features and note (drawSeat keeps those in data-tip).
  const keptText = !kept
    ? ''
    : interpolate(
        kept.unlocked ? gettext('%(channel)s: on sale to you') : gettext('Kept for %(channel)s: not on sale'),
        { channel: kept.name },
        true,
      );
  const text = [keptText, g.dataset.tip ?? ''].filter(Boolean).join('; ');
  let title = g.querySelector('title');
  if (!text) {
    title?.remove();
    return;
  }
  if (!title) {
    title = svgEl('title');
    g.insertBefore(title, g.firstChild);
  }
  title.classList.toggle('kept', Boolean(keptText));
  title.textContent = text;
}

function round(n) {
  return Math.round(n * 100) / 100;
}
