// The plan editor's document model: operations on our native plan document
// (docs/seating-plan.schema.json), an undo/redo history, stable keys and counts.
// Pure (Node tests it): every operation takes a document and returns a new one, never
// changing the one it was given, so the history is a list of documents.
//
// An item of the drawing is named by an id: `s:<seat key>`, `t:<table key>`,
// `g:<standing key>`, `a:<zone index>:<area index>`. Keys never change for a seat that is
// moved, turned or renumbered: events match their seats to the plan's by key.

import { block, centreOf, letterIndex, letters, numbers, rotatePoint, rowNames } from './geometry.js';

export const DEFAULT_CATEGORY = { code: 'standard', name: 'Standard', color: '#3b82f6' };
const MARGIN = 40; // plan units kept free around the drawing when the plan grows
const TABLE_SEAT_GAP = 14; // as plans/document.py lays out table seats
const HISTORY_LIMIT = 200;

export function emptyDocument(name = 'New plan') {
  return { format: 'seats-plan', version: 1, name, size: { width: 1000, height: 800 }, categories: [], zones: [] };
}

/** lowercase a-z0-9 words joined by '-' (the schema's category code pattern). */
export function slug(text) {
  const s = String(text ?? '')
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s || 'x';
}

/** `base`, else `base-2`, `base-3` ...: the first that `taken` lacks (and that it then gets). */
function unique(base, taken, max = 64) {
  let candidate = base.slice(0, max);
  for (let n = 2; taken.has(candidate); n++) {
    const suffix = `-${n}`;
    candidate = base.slice(0, max - suffix.length) + suffix;
  }
  taken.add(candidate);
  return candidate;
}

function clone(doc) {
  return structuredClone(doc);
}

function round(n) {
  return Math.round(n * 100) / 100 + 0; // + 0: no -0 in the document
}

/** Every seat with where it is: [{ seat, zone, row, z, r, i }]. */
export function allSeats(doc) {
  const out = [];
  doc.zones.forEach((zone, z) =>
    (zone.rows ?? []).forEach((row, r) =>
      row.seats.forEach((seat, i) => out.push({ seat, zone, row, z, r, i })),
    ),
  );
  return out;
}

/** The seats the importer lays around a table: [{ key, number, x, y }] (plans/document.py). */
export function tableSeats(table) {
  const n = table.seats;
  const out = [];
  if (table.shape !== 'rectangle') {
    const ring = (Number(table.radius) || 0) + TABLE_SEAT_GAP;
    for (let i = 0; i < n; i++) {
      const a = (2 * Math.PI * i) / n;
      out.push({ key: `${table.key}-${i + 1}`, number: i + 1, x: round(table.x + ring * Math.sin(a)), y: round(table.y - ring * Math.cos(a)) });
    }
    return out;
  }
  const top = Math.ceil(n / 2);
  const sides = [
    [top, table.y - table.height / 2 - TABLE_SEAT_GAP, 1],
    [n - top, table.y + table.height / 2 + TABLE_SEAT_GAP, -1],
  ];
  for (const [count, y, sign] of sides) {
    for (let i = 0; i < count; i++) {
      const offset = (i + 0.5) / count - 0.5;
      const number = out.length + 1;
      out.push({ key: `${table.key}-${number}`, number, x: round(table.x + table.width * offset * sign), y: round(y) });
    }
  }
  return out;
}

/** Every seat key in use, table seats included. */
export function seatKeys(doc) {
  const keys = new Set(allSeats(doc).map(({ seat }) => seat.key));
  for (const zone of doc.zones) for (const t of zone.tables ?? []) for (const s of tableSeats(t)) keys.add(s.key);
  return keys;
}

function tableKeys(doc) {
  return new Set(doc.zones.flatMap((z) => (z.tables ?? []).map((t) => t.key)));
}

function standingKeys(doc) {
  return new Set(doc.zones.flatMap((z) => (z.standing ?? []).map((s) => s.key)));
}

/** A zone by index; -1 or a missing index makes one (named `name`) at the end. */
function zoneAt(doc, z, name = 'Stalls') {
  if (doc.zones[z]) return doc.zones[z];
  const zone = newZone(doc, name);
  doc.zones.push(zone);
  return zone;
}

function newZone(doc, name) {
  const names = new Set(doc.zones.map((zone) => zone.name));
  let candidate = name;
  for (let n = 2; names.has(candidate); n++) candidate = `${name} ${n}`;
  return { name: candidate, x: 0, y: 0, zone_id: '', uuid: '', areas: [], rows: [] };
}

/** The category code seats get: the one asked for if the plan has it, else the first, else
 * a new "Standard" (a seat needs a category the plan lists). */
function categoryFor(doc, code) {
  if (doc.categories.some((c) => c.code === code)) return code;
  if (doc.categories.length) return doc.categories[0].code;
  doc.categories.push({ ...DEFAULT_CATEGORY });
  return DEFAULT_CATEGORY.code;
}

/** Grow the plan's size to hold everything drawn (never shrinks: the venue may be larger). */
function grow(doc) {
  const box = bounds(doc);
  if (!box) return doc;
  doc.size = {
    width: Math.max(doc.size?.width ?? 0, Math.ceil(box.x + box.width + MARGIN)),
    height: Math.max(doc.size?.height ?? 0, Math.ceil(box.y + box.height + MARGIN)),
  };
  return doc;
}

function areaPoints(area) {
  const x = Number(area.x) || 0;
  const y = Number(area.y) || 0;
  switch (area.shape) {
    case 'rectangle':
      return [{ x, y }, { x: x + area.width, y: y + area.height }];
    case 'ellipse':
      return [{ x: x - area.rx, y: y - area.ry }, { x: x + area.rx, y: y + area.ry }];
    case 'circle':
      return [{ x: x - area.radius, y: y - area.radius }, { x: x + area.radius, y: y + area.radius }];
    case 'polygon':
      return (area.points ?? []).map(([px, py]) => ({ x: px, y: py }));
    default:
      return [{ x, y }];
  }
}

/** The points that say where an item is (seat centres, shape corners), by id. */
export function itemPoints(doc, id) {
  const found = findItem(doc, id);
  if (!found) return [];
  if (found.kind === 's') return [{ x: found.item.x, y: found.item.y }];
  if (found.kind === 't') return tableSeats(found.item).concat([{ x: found.item.x, y: found.item.y }]);
  if (found.kind === 'g') return areaPoints(found.item.outline);
  return areaPoints(found.item);
}

/** The box of everything drawn (or of the ids given); null when there is nothing. */
export function bounds(doc, ids = null) {
  const list = ids ?? allIds(doc);
  const points = list.flatMap((id) => itemPoints(doc, id));
  if (!points.length) return null;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

/** Every item's id, in drawing order. */
export function allIds(doc) {
  const ids = [];
  doc.zones.forEach((zone, z) => {
    (zone.areas ?? []).forEach((_, i) => ids.push(`a:${z}:${i}`));
    for (const s of zone.standing ?? []) ids.push(`g:${s.key}`);
    for (const t of zone.tables ?? []) ids.push(`t:${t.key}`);
    for (const row of zone.rows ?? []) for (const seat of row.seats) ids.push(`s:${seat.key}`);
  });
  return ids;
}

/** { kind, item, z, list, index } for an id; null when it names nothing. */
export function findItem(doc, id) {
  const [kind, ...rest] = String(id).split(':');
  if (kind === 'a') {
    const [z, i] = rest.map(Number);
    const list = doc.zones[z]?.areas;
    return list?.[i] ? { kind, item: list[i], z, list, index: i } : null;
  }
  const key = rest.join(':');
  for (let z = 0; z < doc.zones.length; z++) {
    const zone = doc.zones[z];
    if (kind === 's') {
      for (const row of zone.rows ?? []) {
        const index = row.seats.findIndex((s) => s.key === key);
        if (index >= 0) return { kind, item: row.seats[index], z, list: row.seats, index, row };
      }
    } else if (kind === 't' || kind === 'g') {
      const list = kind === 't' ? zone.tables : zone.standing;
      const index = (list ?? []).findIndex((t) => t.key === key);
      if (index >= 0) return { kind, item: list[index], z, list, index };
    }
  }
  return null;
}

/** The ids of a row's seats (zone index, row index). */
export function rowIds(doc, z, r) {
  return (doc.zones[z]?.rows?.[r]?.seats ?? []).map((s) => `s:${s.key}`);
}

/** The ids of everything in a zone. */
export function zoneIds(doc, z) {
  const zone = doc.zones[z];
  if (!zone) return [];
  return [
    ...(zone.areas ?? []).map((_, i) => `a:${z}:${i}`),
    ...(zone.standing ?? []).map((s) => `g:${s.key}`),
    ...(zone.tables ?? []).map((t) => `t:${t.key}`),
    ...(zone.rows ?? []).flatMap((row) => row.seats.map((s) => `s:${s.key}`)),
  ];
}

/** Where a seat is: { z, r } (for "select row"); null for no seat. */
export function seatPlace(doc, key) {
  const found = findItem(doc, `s:${key}`);
  if (!found) return null;
  return { z: found.z, r: doc.zones[found.z].rows.indexOf(found.row) };
}

// ---- Operations: each returns { doc, ids } (ids: what to select afterwards, or null).

/**
 * A block of rows (geometry.block's options) in zone `zone` (an index; -1: a new zone named
 * `zoneName`), named by `naming` (rowNames options), numbered by `numbering` (numbers
 * options), all of category `category`. New seat keys: `<zone>-<row>-<number>`, made unique.
 */
export function addBlock(doc, { zone = 0, zoneName = 'Stalls', naming = {}, numbering = {}, category, ...shape }) {
  const next = clone(doc);
  const target = zoneAt(next, zone, zoneName);
  const code = categoryFor(next, category);
  const taken = seatKeys(next);
  const rowsOfSeats = block(shape);
  const names = rowNames(rowsOfSeats.length, naming);
  const ids = [];
  rowsOfSeats.forEach((points, r) => {
    const printed = numbers(points.length, numbering);
    const row = { name: names[r], label: '', seat_label: '', uuid: '', seats: [] };
    points.forEach((p, i) => {
      const key = unique(`${slug(target.name)}-${slug(names[r])}-${printed[i]}`, taken);
      row.seats.push({ key, number: printed[i], x: p.x, y: p.y, category: code });
      ids.push(`s:${key}`);
    });
    target.rows.push(row);
  });
  return { doc: grow(next), ids };
}

export function addZone(doc, { name = 'Zone' } = {}) {
  const next = clone(doc);
  const zone = newZone(next, name);
  next.zones.push(zone);
  return { doc: next, ids: [], zone: next.zones.length - 1 };
}

/** A drawn area (stage, label, shape) in zone `zone`. */
export function addArea(doc, { zone = 0, zoneName = 'Stalls', area }) {
  const next = clone(doc);
  const target = zoneAt(next, zone, zoneName);
  target.areas = target.areas ?? [];
  target.areas.push({ ...area });
  const z = next.zones.indexOf(target);
  return { doc: grow(next), ids: [`a:${z}:${target.areas.length - 1}`] };
}

/** A standing area: its key the slug of its name, unique among standing areas. */
export function addStanding(doc, { zone = 0, zoneName = 'Floor', name = 'Floor', capacity = 100, category, outline }) {
  const next = clone(doc);
  const target = zoneAt(next, zone, zoneName);
  const key = unique(slug(name), standingKeys(next), 30);
  target.standing = target.standing ?? [];
  target.standing.push({ key, name, capacity: Math.max(1, Math.round(capacity)), category: categoryFor(next, category), outline: { ...outline } });
  return { doc: grow(next), ids: [`g:${key}`] };
}

/** A table: its key unique among tables, and its seats' keys (<key>-<n>) among seats. */
export function addTable(doc, { zone = 0, zoneName = 'Tables', table }) {
  const next = clone(doc);
  const target = zoneAt(next, zone, zoneName);
  const record = { ...table, category: categoryFor(next, table.category) };
  record.key = freeTableKey(next, table.key ?? slug(table.name), record.seats);
  target.tables = target.tables ?? [];
  target.tables.push(record);
  return { doc: grow(next), ids: [`t:${record.key}`] };
}

function freeTableKey(doc, base, seats) {
  const tables = tableKeys(doc);
  const keys = seatKeys(doc);
  const clash = (key) => tables.has(key) || Array.from({ length: seats }, (_, i) => `${key}-${i + 1}`).some((k) => keys.has(k));
  let key = base.slice(0, 40);
  for (let n = 2; clash(key); n++) key = `${base.slice(0, 36)}-${n}`;
  return key;
}

function moveArea(area, fn) {
  const at = fn({ x: area.x, y: area.y });
  const dx = at.x - area.x;
  const dy = at.y - area.y;
  area.x = at.x;
  area.y = at.y;
  if (area.points) area.points = area.points.map(([px, py]) => [round(px + dx), round(py + dy)]);
}

/** Apply `fn` (point -> point) to each item's position; `turn` degrees to shapes' rotation. */
function transform(doc, ids, fn, turn = 0) {
  const next = clone(doc);
  for (const id of ids) {
    const found = findItem(next, id);
    if (!found) continue;
    const { kind, item } = found;
    if (kind === 's' || kind === 't') Object.assign(item, fn({ x: item.x, y: item.y }));
    const area = kind === 'g' ? item.outline : kind === 'a' ? item : null;
    if (area) {
      moveArea(area, fn);
      if (turn) area.rotation = round(((Number(area.rotation) || 0) + turn) % 360) || undefined;
      if (area.rotation === undefined) delete area.rotation;
    }
  }
  return grow(next);
}

export function moveItems(doc, ids, dx, dy) {
  const doc2 = transform(doc, ids, (p) => ({ x: round(p.x + dx), y: round(p.y + dy) }));
  return { doc: doc2, ids };
}

/** Turn the items `angle` degrees about `centre` (default: the middle of their box). */
export function rotateItems(doc, ids, angle, centre = null) {
  const about = centre ?? centreOf(ids.flatMap((id) => itemPoints(doc, id)));
  if (!about) return { doc, ids };
  return { doc: transform(doc, ids, (p) => rotatePoint(p, angle, about), angle), ids };
}

/** The name after the zone's last row in the same style: K -> L, 12 -> 13, else "<name>2". */
function nextRowName(zone, base) {
  const names = new Set(zone.rows.map((r) => r.name));
  const letterRows = zone.rows.map((r) => letterIndex(r.name)).filter((i) => i >= 0);
  const numberRows = zone.rows.map((r) => r.name).filter((n) => /^\d+$/.test(n)).map(Number);
  let candidate;
  if (letterIndex(base) >= 0) candidate = letters(Math.max(...letterRows) + 1);
  else if (/^\d+$/.test(base)) candidate = String(Math.max(...numberRows) + 1);
  else candidate = `${base}2`;
  for (let n = 3; names.has(candidate); n++) candidate = `${base}${n}`;
  return candidate.slice(0, 16);
}

/**
 * Copies of the items `dx`, `dy` away, with new keys. Copied seats go into new rows (one
 * per row they came from, named after the zone's last row), so no two seats share a row
 * and number; companions copied with their wheelchair space follow the copy.
 */
export function copyItems(doc, ids, dx, dy) {
  const next = clone(doc);
  const keys = seatKeys(next);
  const standing = standingKeys(next);
  const out = [];
  const renamed = new Map(); // old seat key -> new
  const newRows = new Map(); // source row -> its copy
  const move = (p) => ({ x: round(p.x + dx), y: round(p.y + dy) });
  for (const id of ids) {
    const found = findItem(doc, id);
    if (!found) continue;
    const { kind, item, z } = found;
    const zone = next.zones[z];
    if (kind === 's') {
      let row = newRows.get(found.row);
      if (!row) {
        row = { ...found.row, name: nextRowName(zone, found.row.name), uuid: '', seats: [] };
        zone.rows.push(row);
        newRows.set(found.row, row);
      }
      const key = unique(`${slug(zone.name)}-${slug(row.name)}-${item.number}`, keys);
      renamed.set(item.key, key);
      const seat = { ...structuredClone(item), key, ...move(item) };
      delete seat.uuid;
      row.seats.push(seat);
      out.push(`s:${key}`);
    } else if (kind === 't') {
      const table = { ...structuredClone(item), ...move(item) };
      table.key = freeTableKey(next, item.key, item.seats);
      table.name = nextName(item.name, new Set(next.zones.flatMap((zn) => (zn.tables ?? []).map((t) => t.name))));
      zone.tables.push(table);
      out.push(`t:${table.key}`);
    } else if (kind === 'g') {
      const area = structuredClone(item);
      area.key = unique(item.key, standing, 30);
      moveArea(area.outline, move);
      zone.standing.push(area);
      out.push(`g:${area.key}`);
    } else {
      const area = structuredClone(item);
      delete area.uuid;
      moveArea(area, move);
      zone.areas.push(area);
      out.push(`a:${z}:${zone.areas.length - 1}`);
    }
  }
  // A copied companion points at the copy of its wheelchair space, else at the same one.
  for (const row of newRows.values()) {
    for (const seat of row.seats) {
      if (seat.companion_of && renamed.has(seat.companion_of)) seat.companion_of = renamed.get(seat.companion_of);
    }
  }
  return { doc: grow(next), ids: out };
}

/** "Table 3" -> "Table 4" (the first free); other names get " 2", " 3". */
function nextName(name, taken) {
  const m = String(name).match(/^(.*?)(\d+)$/);
  let n = m ? Number(m[2]) + 1 : 2;
  const stem = m ? m[1] : `${name} `;
  while (taken.has(`${stem}${n}`)) n++;
  return `${stem}${n}`.slice(0, 16);
}

/** Remove the items; rows left without seats go, and companions of a removed space are freed. */
export function deleteItems(doc, ids) {
  const next = clone(doc);
  const gone = new Set(ids);
  const goneSeats = new Set();
  next.zones.forEach((zone, z) => {
    for (const row of zone.rows ?? []) {
      row.seats = row.seats.filter((s) => {
        const remove = gone.has(`s:${s.key}`);
        if (remove) goneSeats.add(s.key);
        return !remove;
      });
    }
    zone.rows = (zone.rows ?? []).filter((row) => row.seats.length);
    if (zone.areas) zone.areas = zone.areas.filter((_, i) => !gone.has(`a:${z}:${i}`));
    if (zone.tables) zone.tables = zone.tables.filter((t) => !gone.has(`t:${t.key}`));
    if (zone.standing) zone.standing = zone.standing.filter((s) => !gone.has(`g:${s.key}`));
  });
  for (const { seat } of allSeats(next)) {
    if (seat.companion_of && goneSeats.has(seat.companion_of)) delete seat.companion_of;
  }
  return { doc: next, ids: [] };
}

/** Remove a whole zone and all it holds. */
export function deleteZone(doc, z) {
  const next = deleteItems(doc, zoneIds(doc, z)).doc;
  next.zones.splice(z, 1);
  return { doc: next, ids: [] };
}

const SEAT_FLAGS = ['wheelchair', 'companion_of', 'restricted_view', 'note', 'label'];

/**
 * Set fields on the selected seats (category, wheelchair, companion_of, restricted_view,
 * note, label); a false, null or empty value removes the field, as the plan writer would.
 * A wheelchair space is nobody's companion; tables and standing areas take a category.
 */
export function setSeatFields(doc, ids, fields) {
  const next = clone(doc);
  for (const id of ids) {
    const found = findItem(next, id);
    if (!found) continue;
    if ((found.kind === 't' || found.kind === 'g') && fields.category) found.item.category = fields.category;
    if (found.kind !== 's') continue;
    const seat = found.item;
    if (fields.category) seat.category = fields.category;
    for (const field of SEAT_FLAGS) {
      if (!(field in fields)) continue;
      const value = fields[field];
      if (value === false || value === null || value === '' || value === undefined) delete seat[field];
      else seat[field] = value;
    }
    if (seat.wheelchair) delete seat.companion_of;
    if (seat.companion_of === seat.key) delete seat.companion_of;
  }
  return { doc: next, ids };
}

/** Rename one row; its seats keep their keys. */
export function renameRow(doc, z, r, name) {
  const next = clone(doc);
  const row = next.zones[z]?.rows?.[r];
  if (row && String(name).trim()) row.name = String(name).trim().slice(0, 16);
  return { doc: next, ids: null };
}

/** Give rows (pairs [z, r], front first) names by a scheme (geometry.rowNames options). */
export function renameRows(doc, rows, naming) {
  const next = clone(doc);
  const names = rowNames(rows.length, naming);
  rows.forEach(([z, r], i) => {
    const row = next.zones[z]?.rows?.[r];
    if (row) row.name = names[i];
  });
  return { doc: next, ids: null };
}

/** Number a row's seats again by a scheme (geometry.numbers options), left to right; keys stay. */
export function renumberRow(doc, z, r, numbering) {
  const next = clone(doc);
  const row = next.zones[z]?.rows?.[r];
  if (!row) return { doc: next, ids: null };
  const order = [...row.seats].sort((a, b) => a.x - b.x || a.y - b.y);
  const printed = numbers(order.length, numbering);
  order.forEach((seat, i) => {
    seat.number = printed[i];
  });
  return { doc: next, ids: null };
}

export function renameZone(doc, z, name) {
  const next = clone(doc);
  if (next.zones[z] && String(name).trim()) next.zones[z].name = String(name).trim().slice(0, 40);
  return { doc: next, ids: null };
}

/**
 * Add a category (its code the slug of its name, made unique) or, given `code`, change
 * that one's name and colour (the code stays: seats refer to it).
 */
export function setCategory(doc, { code = null, name, color = '' }) {
  const next = clone(doc);
  const existing = code && next.categories.find((c) => c.code === code);
  if (existing) {
    if (name) existing.name = name;
    existing.color = color;
    return { doc: next, ids: null, code };
  }
  const taken = new Set(next.categories.map((c) => c.code));
  const made = unique(slug(name), taken, 40);
  next.categories.push({ code: made, name, color });
  return { doc: next, ids: null, code: made };
}

export function setPlanName(doc, name) {
  return { doc: { ...clone(doc), name: String(name) }, ids: null };
}

/** Seats and places: { seats, places, by_category, by_zone } (the shape the server counts in). */
export function counts(doc) {
  const out = { seats: 0, places: 0, by_category: {}, by_zone: {} };
  const add = (zone, category, n, field) => {
    out[field] += n;
    out.by_category[category] = (out.by_category[category] ?? 0) + n;
    out.by_zone[zone] = (out.by_zone[zone] ?? 0) + n;
  };
  for (const zone of doc.zones) {
    for (const row of zone.rows ?? []) for (const seat of row.seats) add(zone.name, seat.category, 1, 'seats');
    for (const table of zone.tables ?? []) add(zone.name, table.category, table.seats, 'seats');
    for (const area of zone.standing ?? []) add(zone.name, area.category, area.capacity, 'places');
  }
  return out;
}

/**
 * Undo and redo over whole documents. `apply(op)` runs op(doc) -> { doc, ids } and keeps
 * the document it replaced; `reset(doc)` starts over (a draft loaded from the server).
 */
export function createHistory(initial, limit = HISTORY_LIMIT) {
  let past = [];
  let future = [];
  let current = initial;
  return {
    get doc() {
      return current;
    },
    apply(op) {
      const result = op(current);
      if (result.doc === current) return result;
      past.push(current);
      if (past.length > limit) past = past.slice(-limit);
      future = [];
      current = result.doc;
      return result;
    },
    undo() {
      if (!past.length) return null;
      future.push(current);
      current = past.pop();
      return current;
    },
    redo() {
      if (!future.length) return null;
      past.push(current);
      current = future.pop();
      return current;
    },
    reset(doc) {
      past = [];
      future = [];
      current = doc;
    },
    canUndo: () => past.length > 0,
    canRedo: () => future.length > 0,
  };
}
