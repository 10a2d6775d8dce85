// The seating-plan editor page: loads the draft, draws it, turns tools, clicks, drags and keys
// into draft.js operations (each one undoable), autosaves, polls who else is editing, and
// publishes. The server is the authority on problems; the counts are the document's own.

import { el, option } from '../common/dom.js';
import { agoText, createApi, createAutosave } from './api.js';
import * as draft from './draft.js';
import { drawDocument, pitchOf } from './draw.js';
import { snap } from './geometry.js';
import { createView } from './view.js';

const POLL_MS = 10_000;
const DRAG_PX = 4;
const TURN = 15;

const root = document.getElementById('editor-app');
const svg = document.getElementById('editor-map');
const $ = (id) => document.getElementById(id);
const csrf = root.querySelector('input[name="csrfmiddlewaretoken"]')?.value ?? '';
const api = createApi(root.dataset.api, csrf);
const view = createView(svg);
const style = document.head.appendChild(document.createElement('style'));

const history = draft.createHistory(draft.emptyDocument());
let revision = null; // the revision our edits started from
let selected = new Set();
let flagged = new Set();
let tool = 'select';
let loaded = false;
let conflict = null;
let seatSize = 24;

const SAVE_TEXT = {
  loading: 'Loading…',
  saved: 'Saved',
  saving: 'Saving…',
  unsaved: 'Not saved',
  failed: 'Not saved: the server did not take it (tried again at the next edit)',
  conflict: 'Not saved: someone else saved a newer draft',
};

function saveState(name) {
  $('save-state').dataset.state = name;
  $('save-state').textContent = SAVE_TEXT[name] ?? name;
}

function say(text) {
  $('editor-status').textContent = text;
}

const autosave = createAutosave({
  onState: saveState,
  async save() {
    const doc = history.doc;
    const { status, body } = await api.putDraft(revision, doc, false);
    if (status === 200) {
      received(body);
      return 'saved';
    }
    if (status === 409 && body.code === 'draft_changed') {
      showConflict(body);
      return 'conflict';
    }
    say(body.detail ?? `Saving failed (${status}).`);
    if (body.problems) showProblems(body.problems);
    return 'failed';
  },
});

// ---- What the server says

/** A draft answer (GET or PUT): revision, problems, editors, publish state. */
function received(body) {
  revision = body.revision;
  showProblems(body.problems ?? []);
  showEditors(body.editors ?? []);
  showPublished(body.published, body.events ?? []);
}

function showEditors(editors) {
  const names = editors.map((e) => e.name).filter(Boolean);
  const line = $('also-editing');
  line.hidden = names.length === 0;
  line.textContent = names.length ? `Also editing: ${names.join(', ')}` : '';
}

function showPublished(published, events) {
  const result = $('publish-result');
  if (result.dataset.outcome) return; // the answer to a publish stays until the next edit
  if (!published?.revision) {
    result.hidden = true;
    return;
  }
  result.hidden = false;
  result.replaceChildren(el('p', 'help', `Published: revision ${published.revision}, ${agoText(published.at)}.`));
  if (events.length) result.append(eventLinks(events));
}

function eventLinks(events) {
  const list = el('ul', 'event-links');
  for (const event of events) {
    const a = el('a', null, `${event.name}: live map`);
    a.href = root.dataset.liveUrlTemplate.replace('__ID__', String(event.id));
    const li = el('li');
    li.append(a);
    list.append(li);
  }
  return list;
}

function showProblems(problems) {
  const list = $('problem-list');
  list.replaceChildren();
  $('problems-summary').textContent = problems.length
    ? `${problems.length} problem${problems.length === 1 ? '' : 's'} in the last saved draft (click one to see its seats):`
    : 'No problems in the last saved draft.';
  for (const problem of problems) {
    const button = el('button', 'link-button problem', problem.message);
    button.type = 'button';
    button.title = problem.where;
    button.addEventListener('click', () => showProblem(problem));
    const li = el('li');
    li.append(button);
    list.append(li);
  }
}

function showProblem(problem) {
  flagged = new Set(problem.seat_keys ?? []);
  const ids = [...flagged].map((k) => `s:${k}`).filter((id) => draft.findItem(history.doc, id));
  render();
  const box = ids.length ? draft.bounds(history.doc, ids) : null;
  if (box) view.showBox(box, pitchOf(history.doc));
  say(ids.length ? `${problem.message} (${ids.length} seat${ids.length === 1 ? '' : 's'} marked)` : problem.message);
}

function showConflict(body) {
  conflict = body;
  $('conflict-text').textContent =
    `Saved by ${body.saved_by || 'someone'} ${agoText(body.saved_at)}: load theirs, or save yours over it?`;
  const dialog = $('conflict-dialog');
  if (!dialog.open) dialog.showModal();
}

// ---- Drawing and panels

function render() {
  const doc = history.doc;
  seatSize = drawDocument(svg, doc, { selected, flagged, style });
  $('plan-title').textContent = doc.name;
  if (document.activeElement !== $('plan-name')) $('plan-name').value = doc.name;
  fillZones(doc);
  fillCategories(doc);
  fillCounts(doc);
  fillSelection(doc);
  root.querySelector('[data-action="undo"]').disabled = !history.canUndo();
  root.querySelector('[data-action="redo"]').disabled = !history.canRedo();
  root.dataset.seats = String(draft.counts(doc).seats);
}

function fillZones(doc) {
  const select = $('tool-zone');
  const chosen = select.value;
  select.replaceChildren(...doc.zones.map((z, i) => option(String(i), z.name)));
  if (!doc.zones.length) select.append(option('-1', 'A new zone'));
  if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
  const list = $('zone-list');
  list.replaceChildren();
  doc.zones.forEach((zone, z) => {
    const li = el('li', 'zone-item');
    const input = el('input');
    input.value = zone.name;
    input.maxLength = 40;
    input.setAttribute('aria-label', `Name of zone ${z + 1}`);
    input.addEventListener('change', () => edit((d) => draft.renameZone(d, z, input.value), 'Zone renamed'));
    const pick = button('Select', () => select_(draft.zoneIds(history.doc, z)));
    pick.setAttribute('aria-label', `Select zone ${zone.name}`);
    const drop = button('Delete', () => edit((d) => draft.deleteZone(d, z), `Deleted zone ${zone.name}`));
    drop.setAttribute('aria-label', `Delete zone ${zone.name}`);
    li.append(input, pick, drop);
    list.append(li);
  });
}

function fillCategories(doc) {
  for (const select of root.querySelectorAll('select[data-categories]')) {
    const chosen = select.value;
    const empty = select.id === 'sel-category' ? [option('', '(unchanged)')] : [];
    select.replaceChildren(...empty, ...doc.categories.map((c) => option(c.code, c.name)));
    if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
  }
  const list = $('category-list');
  list.replaceChildren();
  for (const category of doc.categories) {
    const li = el('li', 'category-item');
    const name = el('input');
    name.value = category.name;
    name.setAttribute('aria-label', `Name of category ${category.code}`);
    const colour = el('input');
    colour.type = 'color';
    colour.value = /^#[0-9a-f]{6}$/i.test(category.color ?? '') ? category.color : '#999999';
    colour.setAttribute('aria-label', `Colour of ${category.name}`);
    const save = () =>
      edit((d) => draft.setCategory(d, { code: category.code, name: name.value.trim() || category.name, color: colour.value }), 'Category changed');
    name.addEventListener('change', save);
    colour.addEventListener('change', save);
    li.append(colour, name, el('code', null, category.code));
    list.append(li);
  }
}

function fillCounts(doc) {
  const counts = draft.counts(doc);
  const names = new Map(doc.categories.map((c) => [c.code, c.name]));
  $('counts-total').textContent = `${counts.seats} seats, ${counts.places} standing places`;
  const rows = [
    ...Object.entries(counts.by_category).map(([code, n]) => ['Category', names.get(code) ?? code, n]),
    ...Object.entries(counts.by_zone).map(([zone, n]) => ['Zone', zone, n]),
  ];
  $('counts-body').replaceChildren(
    ...rows.map(([kind, name, n]) => {
      const tr = el('tr');
      tr.append(el('th', null, `${kind}: ${name}`), el('td', 'num', String(n)));
      tr.firstChild.scope = 'row';
      return tr;
    }),
  );
}

function selectedSeats(doc) {
  return [...selected].map((id) => draft.findItem(doc, id)).filter((f) => f?.kind === 's');
}

function fillSelection(doc) {
  selected = new Set([...selected].filter((id) => draft.findItem(doc, id)));
  const seats = selectedSeats(doc);
  const others = selected.size - seats.length;
  const parts = [];
  if (seats.length) parts.push(`${seats.length} seat${seats.length === 1 ? '' : 's'}`);
  if (others) parts.push(`${others} other item${others === 1 ? '' : 's'}`);
  $('selection-summary').textContent = parts.length ? `Selected: ${parts.join(', ')}.` : 'Nothing selected.';
  for (const name of ['rotate', 'duplicate', 'delete', 'select-zone']) {
    root.querySelector(`[data-action="${name}"]`).disabled = selected.size === 0;
  }
  root.querySelector('[data-action="select-row"]').disabled = seats.length === 0;
  $('selection-fields').hidden = selected.size === 0;
  const all = (field) => seats.length > 0 && seats.every((f) => Boolean(f.item[field]));
  $('sel-wheelchair').checked = all('wheelchair');
  $('sel-restricted').checked = all('restricted_view');
  const notes = new Set(seats.map((f) => f.item.note ?? ''));
  if (document.activeElement !== $('sel-note')) $('sel-note').value = notes.size === 1 ? [...notes][0] : '';
  const cats = new Set(seats.map((f) => f.item.category));
  $('sel-category').value = cats.size === 1 ? [...cats][0] : '';
  const companion = $('sel-companion');
  const spaces = draft.allSeats(doc).filter(({ seat }) => seat.wheelchair);
  companion.replaceChildren(
    option('', '(nobody)'),
    ...spaces.map(({ seat, zone, row }) => option(seat.key, `${zone.name} ${row.name}${seat.number}`)),
  );
  const of = new Set(seats.map((f) => f.item.companion_of ?? ''));
  companion.value = of.size === 1 ? [...of][0] : '';
  const rows = new Set(seats.map((f) => f.row));
  const oneRow = rows.size === 1 && seats.length > 0;
  $('selection-row').hidden = !oneRow;
  root.querySelector('[data-action="renumber"]').hidden = !oneRow;
  if (oneRow && document.activeElement !== $('sel-row-name')) $('sel-row-name').value = seats[0].row.name;
}

function button(text, onClick) {
  const b = el('button', 'button small', text);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

// ---- Edits

/** Run an operation through the history, select what it says, redraw, autosave. */
function edit(op, message) {
  const result = history.apply(op);
  if (result.doc === undefined) return result;
  if (result.ids) selected = new Set(result.ids);
  flagged = new Set();
  delete $('publish-result').dataset.outcome;
  render();
  autosave.changed();
  if (message) say(typeof message === 'function' ? message(result) : message);
  return result;
}

function select_(ids, add = false) {
  selected = add ? new Set([...selected, ...ids]) : new Set(ids);
  render();
}

function grid() {
  return Math.max(0, Number($('grid').value) || 0);
}

function zoneChoice() {
  return Number($('tool-zone').value ?? -1);
}

function values(form) {
  const out = {};
  for (const field of form.elements) if (field.name) out[field.name] = field.value;
  return out;
}

const num = (v, fallback = 0) => (Number.isFinite(Number(v)) && v !== '' ? Number(v) : fallback);

function countText(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const PLACE = {
  rows(v, at) {
    const aisles = String(v.aisles).split(/[\s,;]+/).filter(Boolean).map(Number).filter((n) => n > 0);
    const style = v.style;
    const first = style === 'numbers' ? num(v.first, 1) : String(v.first || 'A').toUpperCase();
    const options = {
      zone: zoneChoice(),
      x: at.x,
      y: at.y,
      rows: Math.max(1, num(v.rows, 1)),
      seatsPerRow: Math.max(1, num(v.seatsPerRow, 1)),
      spacing: Math.max(1, num(v.spacing, 30)),
      rowGap: Math.max(1, num(v.rowGap, 34)),
      shape: v.shape,
      radius: num(v.radius, 400),
      aisles,
      numbering: { scheme: v.scheme, start: num(v.start, 1) },
      naming: { style, start: first },
      category: v.category,
    };
    edit((d) => draft.addBlock(d, options), (r) => `Added ${countText(options.rows, 'row')}, ${countText(r.ids.length, 'seat')}.`);
  },
  standing(v, at) {
    const outline = { shape: 'rectangle', x: at.x, y: at.y, width: num(v.width, 300), height: num(v.height, 150) };
    edit(
      (d) => draft.addStanding(d, { zone: zoneChoice(), name: v.name || 'Floor', capacity: num(v.capacity, 100), category: v.category, outline }),
      `Added the standing area ${v.name}.`,
    );
  },
  table(v, at) {
    const table = { name: v.name || 'Table', seats: Math.min(40, Math.max(1, num(v.seats, 8))), category: v.category, booking: v.booking, shape: v.shape, x: at.x, y: at.y };
    if (v.shape === 'rectangle') Object.assign(table, { width: num(v.width, 120), height: num(v.height, 40) });
    else table.radius = num(v.radius, 26);
    edit((d) => draft.addTable(d, { zone: zoneChoice(), table }), `Added ${table.name}.`);
    const next = String(v.name).match(/^(.*?)(\d+)$/);
    if (next) $('table-name').value = `${next[1]}${Number(next[2]) + 1}`;
  },
  label(v, at) {
    const text = v.text;
    const w = num(v.width, 200);
    const h = num(v.height, 60);
    let area;
    if (v.kind === 'stage') area = { shape: 'rectangle', x: at.x, y: at.y, width: w, height: h, color: '#374151', text: text || 'STAGE', text_color: '#ffffff' };
    else if (v.kind === 'text') area = { shape: 'text', x: at.x, y: at.y, text: text || 'Label', text_size: 18 };
    else if (v.kind === 'ellipse') area = { shape: 'ellipse', x: at.x + w / 2, y: at.y + h / 2, rx: w / 2, ry: h / 2 };
    else area = { shape: 'rectangle', x: at.x, y: at.y, width: w, height: h };
    if (text && v.kind !== 'stage' && v.kind !== 'text') area.text = text;
    edit((d) => draft.addArea(d, { zone: zoneChoice(), area }), `Added ${v.kind === 'stage' ? 'the stage' : 'a ' + v.kind}.`);
  },
};

function place(name, at) {
  const form = $(`tool-${name}`);
  const point = snap(at, grid());
  form.elements.x.value = point.x;
  form.elements.y.value = point.y;
  PLACE[name](values(form), point);
}

for (const name of Object.keys(PLACE)) {
  $(`tool-${name}`).addEventListener('submit', (event) => {
    event.preventDefault();
    const v = values(event.target);
    PLACE[name](v, { x: num(v.x), y: num(v.y) });
  });
}

function setTool(name) {
  tool = name;
  svg.dataset.tool = name;
  for (const b of root.querySelectorAll('button[data-tool]')) b.setAttribute('aria-pressed', String(b.dataset.tool === name));
  for (const panel of root.querySelectorAll('[data-tool-panel]')) panel.hidden = panel.dataset.toolPanel !== name;
  say(name === 'select' ? 'Select: click or drag a box.' : `Click the plan to place it (${root.querySelector(`button[data-tool="${name}"]`).textContent}).`);
}

for (const b of root.querySelectorAll('button[data-tool]')) b.addEventListener('click', () => setTool(b.dataset.tool));

// ---- Actions on the selection

const ACTIONS = {
  undo() {
    if (history.undo()) finishStep('Undone.');
  },
  redo() {
    if (history.redo()) finishStep('Redone.');
  },
  delete() {
    if (!selected.size) return;
    const n = selected.size;
    edit((d) => draft.deleteItems(d, [...selected]), `Deleted ${countText(n, 'item')}.`);
  },
  duplicate() {
    if (!selected.size) return;
    const step = Math.max(grid(), pitchOf(history.doc)) * 2;
    edit((d) => draft.copyItems(d, [...selected], step, step), (r) => `Duplicated ${countText(r.ids.length, 'item')}.`);
  },
  rotate(angle = TURN) {
    if (selected.size) edit((d) => draft.rotateItems(d, [...selected], angle), `Turned ${angle}°.`);
  },
  'select-row'() {
    const doc = history.doc;
    const ids = selectedSeats(doc).flatMap((f) => {
      const place = draft.seatPlace(doc, f.item.key);
      return draft.rowIds(doc, place.z, place.r);
    });
    select_(ids);
  },
  'select-zone'() {
    const doc = history.doc;
    const zones = new Set([...selected].map((id) => draft.findItem(doc, id)?.z));
    select_([...zones].flatMap((z) => draft.zoneIds(doc, z)));
  },
  renumber() {
    const seats = selectedSeats(history.doc);
    if (!seats.length) return;
    const place = draft.seatPlace(history.doc, seats[0].item.key);
    const numbering = { scheme: $('sel-renumber').value, start: num($('sel-renumber-start').value, 1) };
    edit((d) => draft.renumberRow(d, place.z, place.r, numbering), 'Row renumbered (keys kept).');
  },
};

function finishStep(message) {
  flagged = new Set();
  render();
  autosave.changed();
  say(message);
}

for (const b of root.querySelectorAll('[data-action]')) {
  b.addEventListener('click', () => ACTIONS[b.dataset.action]());
}

function setFields(fields, message) {
  if (selected.size) edit((d) => draft.setSeatFields(d, [...selected], fields), message);
}

$('sel-category').addEventListener('change', (e) => e.target.value && setFields({ category: e.target.value }, 'Category set.'));
$('sel-wheelchair').addEventListener('change', (e) =>
  setFields({ wheelchair: e.target.checked }, e.target.checked ? 'Marked as wheelchair spaces.' : 'No longer wheelchair spaces.'),
);
$('sel-restricted').addEventListener('change', (e) => setFields({ restricted_view: e.target.checked }, 'Restricted view set.'));
$('sel-companion').addEventListener('change', (e) => setFields({ companion_of: e.target.value || null }, 'Companion set.'));
$('sel-note').addEventListener('change', (e) => setFields({ note: e.target.value.trim() }, 'Note set.'));
$('sel-row-name').addEventListener('change', (e) => {
  const seats = selectedSeats(history.doc);
  if (!seats.length) return;
  const place = draft.seatPlace(history.doc, seats[0].item.key);
  edit((d) => draft.renameRow(d, place.z, place.r, e.target.value), 'Row renamed (keys kept).');
});
$('plan-name').addEventListener('change', (e) => edit((d) => draft.setPlanName(d, e.target.value.trim() || d.name), 'Plan renamed.'));
$('zone-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const name = $('zone-name').value.trim();
  const result = edit((d) => draft.addZone(d, { name }), `Added the zone ${name}.`);
  $('tool-zone').value = String(result.zone);
  $('zone-name').value = '';
});
$('category-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const name = $('category-name').value.trim();
  edit((d) => draft.setCategory(d, { name, color: $('category-color').value }), `Added the category ${name}.`);
  $('category-name').value = '';
});

// ---- Pointer: click to select, shift-click to add, drag a box, drag the selection to move it

let press = null;

function itemOf(target) {
  return target instanceof Element ? target.closest('.item[data-id]')?.dataset.id ?? null : null;
}

svg.addEventListener('pointerdown', (event) => {
  if (!loaded || view.owns(event)) return;
  if (event.pointerType === 'mouse' && event.button === 1) {
    event.preventDefault();
    view.startPan(event);
    return;
  }
  if (event.pointerType === 'mouse' && event.button !== 0) return;
  const id = tool === 'select' ? itemOf(event.target) : null;
  press = { id, start: view.toPlan(event), screen: { x: event.clientX, y: event.clientY }, moved: false, shift: event.shiftKey, pointer: event };
  if (id && !selected.has(id) && !event.shiftKey) select_([id]);
  svg.setPointerCapture?.(event.pointerId);
});

svg.addEventListener('pointermove', (event) => {
  if (!press || view.owns(event)) return;
  const far = Math.hypot(event.clientX - press.screen.x, event.clientY - press.screen.y) > DRAG_PX;
  if (!press.moved && !far) return;
  if (!press.moved) {
    press.moved = true;
    // A drag on nothing pans with a finger or a placing tool, and draws a box otherwise.
    if (!press.id && (event.pointerType === 'touch' || tool !== 'select')) {
      view.startPan(press.pointer);
      press = null;
      return;
    }
  }
  const at = view.toPlan(event);
  if (press.id && selected.has(press.id)) {
    const d = snap({ x: at.x - press.start.x, y: at.y - press.start.y }, grid());
    press.delta = d;
    for (const item of svg.querySelectorAll('.item.is-selected')) item.setAttribute('transform', `translate(${d.x} ${d.y})`);
  } else if (!press.id) {
    const box = boxOf(press.start, at);
    const marquee = svg.querySelector('.marquee');
    marquee.hidden = false;
    for (const k of ['x', 'y', 'width', 'height']) marquee.setAttribute(k, box[k]);
    press.box = box;
  }
});

function boxOf(a, b) {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), width: Math.abs(a.x - b.x), height: Math.abs(a.y - b.y) };
}

function inside(box, p) {
  return p.x >= box.x && p.y >= box.y && p.x <= box.x + box.width && p.y <= box.y + box.height;
}

svg.addEventListener('pointerup', (event) => {
  if (!press) return;
  const p = press;
  press = null;
  svg.querySelector('.marquee').hidden = true;
  if (!p.moved) {
    if (tool !== 'select') place(tool, view.toPlan(event));
    else if (p.id && p.shift) {
      const next = new Set(selected);
      if (next.has(p.id)) next.delete(p.id);
      else next.add(p.id);
      select_([...next]);
    } else if (p.id) select_([p.id]);
    else if (!p.shift) select_([]);
    return;
  }
  if (p.delta && (p.delta.x || p.delta.y)) {
    edit((d) => draft.moveItems(d, [...selected], p.delta.x, p.delta.y), `Moved ${countText(selected.size, 'item')}.`);
  } else if (p.delta) render();
  else if (p.box) {
    const doc = history.doc;
    const ids = draft.allIds(doc).filter((id) => {
      const points = draft.itemPoints(doc, id);
      return points.length && points.every((q) => inside(p.box, q));
    });
    select_(ids, p.shift);
    say(`Selected ${countText(selected.size, 'item')}.`);
  }
});

svg.addEventListener('pointercancel', () => {
  press = null;
  svg.querySelector('.marquee').hidden = true;
  render();
});

// ---- Keys

document.addEventListener('keydown', (event) => {
  if (!loaded || $('conflict-dialog').open) return;
  if (event.target.closest?.('input, select, textarea, dialog')) return;
  const ctrl = event.ctrlKey || event.metaKey;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  const step = grid() || 1;
  const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  if (ctrl && key === 'z') ACTIONS[event.shiftKey ? 'redo' : 'undo']();
  else if (ctrl && key === 'y') ACTIONS.redo();
  else if (ctrl && key === 'd') ACTIONS.duplicate();
  else if (ctrl && key === 'a') select_(draft.allIds(history.doc));
  else if (ctrl || event.altKey) return;
  else if (key === 'Delete' || key === 'Backspace') ACTIONS.delete();
  else if (key === 'r') ACTIONS.rotate(event.shiftKey ? -TURN : TURN);
  else if (key === 'Escape') {
    select_([]);
    setTool('select');
  } else if (arrows[key] && selected.size) {
    const [dx, dy] = arrows[key].map((v) => v * step * (event.shiftKey ? 5 : 1));
    edit((d) => draft.moveItems(d, [...selected], dx, dy), `Moved ${countText(selected.size, 'item')}.`);
  } else if (key === '+' || key === '=') view.zoomBy(view.step);
  else if (key === '-' || key === '_') view.zoomBy(1 / view.step);
  else if (key === '0') view.fit();
  else return;
  event.preventDefault();
});

for (const b of root.querySelectorAll('[data-zoom]')) {
  b.addEventListener('click', () => {
    if (b.dataset.zoom === 'fit') view.fit();
    else view.zoomBy(b.dataset.zoom === 'in' ? view.step : 1 / view.step);
  });
}

// ---- Conflict, publish, polling

$('conflict-dialog').addEventListener('click', async (event) => {
  const choice = event.target.closest('[data-conflict]')?.dataset.conflict;
  if (!choice) return;
  $('conflict-dialog').close();
  if (choice === 'theirs') {
    await load();
    autosave.resume(false);
    say(`Loaded the draft saved by ${conflict?.saved_by || 'someone else'}.`);
  } else {
    saveState('saving');
    const { status, body } = await api.putDraft(conflict?.revision ?? revision, history.doc, true);
    if (status === 200) {
      received(body);
      autosave.resume(false);
      say('Saved over the other draft.');
    } else {
      autosave.resume(true);
      say(body.detail ?? `Saving failed (${status}).`);
    }
  }
  conflict = null;
});

$('publish-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const buttonEl = $('publish-button');
  buttonEl.disabled = true;
  try {
    const saved = await autosave.flush();
    if (saved === 'conflict' || autosave.isDirty()) {
      say('Save the draft first.');
      return;
    }
    say('Publishing…');
    const { status, body } = await api.publish(revision);
    showPublishAnswer(status, body);
  } finally {
    buttonEl.disabled = false;
  }
});

function showPublishAnswer(status, body) {
  const result = $('publish-result');
  result.hidden = false;
  result.dataset.outcome = status === 200 ? 'published' : 'refused';
  if (status === 200) {
    result.replaceChildren(el('p', 'publish-ok', `Published revision ${body.published?.revision}.`));
    if (body.events?.length) result.append(el('p', 'help', 'Its events follow it; their live maps:'), eventLinks(body.events));
    say(`Published revision ${body.published?.revision}.`);
    return;
  }
  if (status === 409 && body.code === 'draft_changed') {
    delete result.dataset.outcome;
    result.hidden = true;
    showConflict(body);
    return;
  }
  const text = el('p', 'publish-refused');
  if (body.code === 'plan_change_refused') {
    const seats = (body.seats ?? []).map((s) => `${s.event} ${s.label}`);
    text.textContent = `Held or booked seats cannot be removed: ${seats.join(', ')}.`;
  } else if (body.code === 'plan_invalid') {
    text.textContent = `Not published: ${countText(body.problems?.length ?? 0, 'problem')} to fix first (listed under Checks).`;
    showProblems(body.problems ?? []);
  } else {
    text.textContent = `Not published: ${body.detail ?? `the server answered ${status}`}.`;
  }
  result.replaceChildren(text);
  say(text.textContent);
}

async function poll() {
  const { status, body } = await api.getDraft();
  if (status === 200) showEditors(body.editors ?? []);
}

async function load() {
  const { status, body } = await api.getDraft();
  if (status !== 200) {
    saveState('failed');
    say(body.detail ?? `The draft could not be loaded (${status}).`);
    return false;
  }
  history.reset(body.document);
  selected = new Set();
  flagged = new Set();
  received(body);
  render();
  const box = draft.bounds(body.document) ?? { x: 0, y: 0, width: 0, height: 0 };
  const size = body.document.size ?? { width: 1000, height: 800 };
  const plan = { x: Math.min(0, box.x), y: Math.min(0, box.y), width: Math.max(size.width, box.x + box.width), height: Math.max(size.height, box.y + box.height) };
  view.setContent(plan, pitchOf(body.document));
  view.fit();
  saveState('saved');
  return true;
}

window.addEventListener('beforeunload', (event) => {
  if (autosave.isDirty()) event.preventDefault();
});

(async () => {
  if (await load()) {
    loaded = true;
    root.dataset.ready = 'true';
    setTool('select');
    say(`Editing ${history.doc.name}.`);
    setInterval(poll, POLL_MS);
  }
})();
