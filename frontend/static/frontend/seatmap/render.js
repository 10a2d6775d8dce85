// Seat map drawing: builds the SVG once per snapshot, then patches only the seats that changed.

import { svgEl } from '../common/dom.js';
import { seatDescription, seatName } from '../common/texts.js';
import { byPosition } from './state.js';

const UNIT = 24; // px per grid unit
const SEAT = 20; // px per seat square
const LEFT = 36; // room for the row labels
const TOP = 56; // room for the stage
const PAD = 12;
const RIGHT = 36; // row labels repeat on the right for wide venues
// Non-colour cues: a stroke across held seats, a cross on booked ones.
const MARKS = { held: 'M3 17L17 3', booked: 'M5 5L15 15M15 5L5 15' };
const STATUSES = ['available', 'held', 'held-by-me', 'booked'];

function seatTemplate() {
  const g = svgEl('g', { class: 'seat', role: 'button', tabindex: '-1' });
  // The mark comes last: it strikes through the number of a seat that is taken.
  g.append(
    svgEl('rect', { width: SEAT, height: SEAT, rx: 4 }),
    svgEl('text', { x: SEAT / 2, y: SEAT / 2 + 3 }),
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

export function createSeatMap(svg, store) {
  const stageShape = svg.querySelector('.stage-shape');
  const stageLabel = svg.querySelector('.stage-label');
  const rowLayer = svg.querySelector('.row-labels');
  const seatLayer = svg.querySelector('.seats');
  const template = seatTemplate();
  let elements = new Map(); // seat id -> <g>
  let counts = zeroCounts();
  let byCategory = new Map(); // category code -> counts per status
  let names = new Map(); // seat id -> its accessible name without the status
  let tabStop = null; // the one seat reachable with Tab (roving tabindex)

  /** Set status, label and mark of one seat; a no-op when the status is unchanged. */
  function paint(g, seat, status) {
    const old = g.getAttribute('data-status');
    if (old === status) return;
    let perCategory = byCategory.get(seat.category);
    if (!perCategory) byCategory.set(seat.category, (perCategory = zeroCounts()));
    for (const tally of [counts, perCategory]) {
      if (old in tally) tally[old] -= 1;
      if (status in tally) tally[status] += 1;
    }
    g.setAttribute('data-status', status);
    let name = names.get(seat.id);
    if (name === undefined) {
      name = seatName(seat, store.category(seat.category), store.hasSections());
      names.set(seat.id, name);
    }
    g.setAttribute('aria-label', seatDescription(name, status));
    g.children[2].setAttribute('d', MARKS[status] ?? '');
  }

  function moveTabStop(id) {
    if (tabStop === id) return;
    elements.get(tabStop)?.setAttribute('tabindex', '-1');
    elements.get(id)?.setAttribute('tabindex', '0');
    tabStop = id;
  }

  function drawFrame(list) {
    const xs = list.map((s) => s.x);
    const ys = list.map((s) => s.y);
    const minX = list.length ? Math.min(...xs) : 0;
    const minY = list.length ? Math.min(...ys) : 0;
    const cols = list.length ? Math.max(...xs) - minX + 1 : 10;
    const rows = list.length ? Math.max(...ys) - minY + 1 : 1;
    const width = LEFT + cols * UNIT + RIGHT;
    const height = TOP + rows * UNIT + PAD;
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.setAttribute('width', width);
    svg.setAttribute('height', height);
    stageShape.setAttribute('x', LEFT);
    stageShape.setAttribute('width', cols * UNIT - (UNIT - SEAT));
    stageLabel.setAttribute('x', LEFT + (cols * UNIT - (UNIT - SEAT)) / 2);
    return { minX, minY, right: LEFT + cols * UNIT - (UNIT - SEAT) + 10 };
  }

  function drawRowLabels(list, origin) {
    const rows = new Map(); // y -> row name of the leftmost seat on that line
    for (const seat of list) if (!rows.has(seat.y)) rows.set(seat.y, seat.row);
    const frag = document.createDocumentFragment();
    for (const [y, row] of rows) {
      const top = TOP + (y - origin.minY) * UNIT + SEAT / 2 + 4;
      for (const [x, side] of [[LEFT - 10, 'left'], [origin.right, 'right']]) {
        const attrs = { class: `row-label ${side}`, x, y: top, 'aria-hidden': 'true' };
        frag.append(svgEl('text', attrs, row));
      }
    }
    rowLayer.replaceChildren(frag);
  }

  return {
    /** Replace the whole map with the store's seats (after a snapshot). */
    build(now) {
      const focused = seatIdOf(document.activeElement);
      const list = [...store.seats()].sort(byPosition);
      const origin = drawFrame(list);
      const frag = document.createDocumentFragment();
      elements = new Map();
      counts = zeroCounts();
      byCategory = new Map();
      names = new Map();
      for (const seat of list) {
        const g = template.cloneNode(true);
        g.setAttribute('data-seat-id', seat.id);
        const px = LEFT + (seat.x - origin.minX) * UNIT;
        const py = TOP + (seat.y - origin.minY) * UNIT;
        g.setAttribute('transform', `translate(${px} ${py})`);
        g.children[1].textContent = seat.number;
        paint(g, seat, store.uiStatus(seat, now));
        elements.set(seat.id, g);
        frag.append(g);
      }
      seatLayer.replaceChildren(frag);
      drawRowLabels(list, origin);
      svg.removeAttribute('aria-busy');

      const previous = tabStop;
      tabStop = null;
      const start = [focused, previous, list[0]?.id].find((id) => elements.has(id));
      if (start !== undefined) moveTabStop(start);
      if (focused !== null && elements.has(focused)) elements.get(focused).focus();
    },

    /** Repaint the given seats only. */
    update(ids, now) {
      for (const id of ids) {
        const g = elements.get(id);
        const seat = store.get(id);
        if (g && seat) paint(g, seat, store.uiStatus(seat, now));
      }
    },

    setPending(ids, pending) {
      for (const id of ids) elements.get(id)?.classList.toggle('is-pending', pending);
    },

    focusSeat(id) {
      const g = elements.get(id);
      if (!g) return;
      moveTabStop(id);
      g.focus();
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

    /** Bring a seat into view (after "find seats together" picked it). */
    reveal(id) {
      elements.get(id)?.scrollIntoView({ block: 'nearest', inline: 'center' });
    },
  };
}
