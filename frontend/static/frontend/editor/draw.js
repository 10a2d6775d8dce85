// Draws the plan document in the editor's SVG with the live map's look: the same areas,
// tables, category colours and seat squares. Plan units throughout (the view moves the
// viewBox). Every selectable thing is a <g class="item" data-id> (draft.js ids), so a
// drag can move it with one transform before the edit is made.

import { svgEl } from '../common/dom.js';
import { areaParts, areaTransform } from '../seatmap/areas.js';
import { flagMark, flagsOf } from '../seatmap/flags.js';
import { hullPath, rowEnds, rowsOf, seatPitch, zonesOf } from '../seatmap/layout.js';
import { categoryRules } from '../seatmap/palette.js';
import { tableAreas } from '../seatmap/tables.js';
import { tableSeats } from './draft.js';

const DEFAULT_PITCH = 30; // plan units between seats before any row has two
const SEAT_SHARE = 0.8; // of the pitch: the live map's 20-unit seat in a 24-unit pitch
const ZONE_PAD = 0.9; // of the pitch, around a zone's seats

function seatEl(seat, size, extraClass = '') {
  const g = svgEl('g', {
    class: `seat ${extraClass}`.trim(),
    'data-category': seat.category,
    'data-status': 'available',
    transform: `translate(${seat.x - size / 2} ${seat.y - size / 2}) scale(${size / 20})`,
  });
  g.append(svgEl('rect', { width: 20, height: 20, rx: 4 }));
  const flags = flagsOf(seat);
  if (flags.includes('wheelchair')) g.classList.add('is-wheelchair');
  else g.append(svgEl('text', { x: 10, y: 13.5 }, String(seat.number)));
  for (const flag of flags) g.append(flagMark(flag));
  return g;
}

function areaEl(area, id, extraClass = '') {
  const g = svgEl('g', { class: `area area-${area.shape}` });
  const transform = areaTransform(area);
  if (transform) g.setAttribute('transform', transform);
  for (const part of areaParts(area)) g.append(svgEl(part.tag, part.attrs, part.text ?? null));
  const item = svgEl('g', { class: `item ${extraClass}`.trim(), 'data-id': id });
  item.append(g);
  return item;
}

/** The seat pitch of the document, in plan units (a default before any row has two seats). */
export function pitchOf(doc) {
  const seats = [];
  doc.zones.forEach((zone) =>
    (zone.rows ?? []).forEach((row) =>
      row.seats.forEach((s) => seats.push({ x: s.x, y: s.y, section: zone.name, row: row.name })),
    ),
  );
  return rowsOf(seats).some((row) => row.length > 1) ? seatPitch(seats) : DEFAULT_PITCH;
}

/**
 * Replace the drawing with `doc`; `selected` and `flagged` are Sets of ids and seat keys
 * (the selection, the seats of the problem shown). Returns the seat size used.
 */
export function drawDocument(svg, doc, { selected = new Set(), flagged = new Set(), style }) {
  const layer = (name) => svg.querySelector(`.${name}`);
  const pitch = pitchOf(doc);
  const size = pitch * SEAT_SHARE;
  style.textContent = categoryRules(doc.categories ?? []);
  const plan = layer('plan-size');
  plan.setAttribute('width', doc.size?.width ?? 0);
  plan.setAttribute('height', doc.size?.height ?? 0);

  const zones = document.createDocumentFragment();
  const areas = document.createDocumentFragment();
  const seats = document.createDocumentFragment();
  const labels = document.createDocumentFragment();
  const seatList = [];
  const mark = (id) => (selected.has(id) ? 'is-selected' : '');
  doc.zones.forEach((zone, z) => {
    (zone.areas ?? []).forEach((area, i) => areas.append(areaEl(area, `a:${z}:${i}`, mark(`a:${z}:${i}`))));
    for (const area of zone.standing ?? []) {
      const outline = { ...area.outline, text: `${area.name} (standing, ${area.capacity})` };
      areas.append(areaEl(outline, `g:${area.key}`, `is-standing ${mark(`g:${area.key}`)}`));
    }
    for (const table of zone.tables ?? []) {
      const id = `t:${table.key}`;
      const item = areaEl(tableAreas([table])[0], id, mark(id));
      for (const s of tableSeats(table)) {
        item.append(seatEl({ ...s, category: table.category }, size * 0.9, 'table-seat'));
      }
      areas.append(item);
    }
    for (const row of zone.rows ?? []) {
      for (const seat of row.seats) {
        const id = `s:${seat.key}`;
        const item = svgEl('g', { class: `item ${mark(id)}`.trim(), 'data-id': id });
        if (flagged.has(seat.key)) item.classList.add('is-flagged');
        item.append(seatEl(seat, size));
        seats.append(item);
        seatList.push({ x: seat.x, y: seat.y, section: zone.name, row: row.name, z });
      }
    }
  });
  for (const zone of zonesOf(seatList)) {
    const g = svgEl('g', { class: 'zone' });
    g.append(svgEl('path', { class: 'zone-fill', d: hullPath(zone.hull), 'stroke-width': 2 * size * ZONE_PAD + size }));
    const label = svgEl('text', { class: 'zone-label', x: zone.box.x + zone.box.width / 2, y: zone.box.y - size * 1.6 }, zone.name);
    label.setAttribute('font-size', size * 0.7);
    g.append(label);
    zones.append(g);
  }
  for (const { row, first, last } of rowEnds(seatList)) {
    for (const [p, side] of [[first, -1], [last, 1]]) {
      const at = { x: p.x + side * size * 0.9, y: p.y + size * 0.2, 'text-anchor': side < 0 ? 'end' : 'start' };
      const t = svgEl('text', { class: 'editor-row-label', ...at }, row);
      t.setAttribute('font-size', size * 0.55);
      labels.append(t);
    }
  }
  layer('zones').replaceChildren(zones);
  layer('areas').replaceChildren(areas);
  layer('row-labels').replaceChildren(labels);
  layer('seats').replaceChildren(seats);
  return size;
}
