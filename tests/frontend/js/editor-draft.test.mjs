// The plan editor's document model: operations, stable keys, copies, undo/redo, counts.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  addArea,
  addBlock,
  addStanding,
  addTable,
  addZone,
  allSeats,
  copyItems,
  counts,
  createHistory,
  deleteItems,
  emptyDocument,
  moveItems,
  renameRow,
  renumberRow,
  rotateItems,
  rowIds,
  seatKeys,
  setCategory,
  setSeatFields,
  tableSeats,
  zoneIds,
} from '../../../frontend/static/frontend/editor/draft.js';

const ROWS = { x: 200, y: 100, rows: 2, seatsPerRow: 4, spacing: 30, rowGap: 32 };

function withRows(options = {}) {
  return addBlock(emptyDocument('Hall'), { zone: -1, zoneName: 'Stalls', ...ROWS, ...options }).doc;
}

const seatsOf = (doc) => allSeats(doc).map(({ seat, row, zone }) => ({ ...seat, row: row.name, zone: zone.name }));
const byKey = (doc) => new Map(seatsOf(doc).map((s) => [s.key, s]));

describe('adding', () => {
  test('a block makes its zone, a category, rows and keys from zone, row and number', () => {
    const doc = withRows();
    assert.equal(doc.zones[0].name, 'Stalls');
    assert.deepEqual(doc.categories, [{ code: 'standard', name: 'Standard', color: '#3b82f6' }]);
    assert.deepEqual(doc.zones[0].rows.map((r) => r.name), ['A', 'B']);
    assert.deepEqual(doc.zones[0].rows[0].seats.map((s) => s.key), ['stalls-a-1', 'stalls-a-2', 'stalls-a-3', 'stalls-a-4']);
    assert.deepEqual(Object.keys(doc.zones[0].rows[0].seats[0]), ['key', 'number', 'x', 'y', 'category']);
    // The plan grows to hold what was drawn.
    assert.ok(doc.size.width >= 245 + 40 && doc.size.height >= 132 + 40);
  });

  test('keys stay unique when a block repeats names already used', () => {
    const once = withRows();
    const twice = addBlock(once, { zone: 0, ...ROWS, y: 300, numbering: { scheme: 'rtl' } }).doc;
    const keys = seatsOf(twice).map((s) => s.key);
    assert.equal(new Set(keys).size, 16);
    assert.ok(keys.includes('stalls-a-1-2'));
    // The original document is untouched.
    assert.equal(seatsOf(once).length, 8);
  });

  test('numbering and naming schemes reach the seats', () => {
    const doc = withRows({ numbering: { scheme: 'odd-even' }, naming: { start: 'Z' } });
    assert.deepEqual(doc.zones[0].rows.map((r) => r.name), ['Z', 'AA']);
    assert.deepEqual(doc.zones[0].rows[1].seats.map((s) => s.number), ['3', '1', '2', '4']);
  });

  test('zones, standing areas, tables and labels', () => {
    let doc = addZone(withRows(), { name: 'Balcony' }).doc;
    doc = addZone(doc, { name: 'Balcony' }).doc;
    assert.deepEqual(doc.zones.map((z) => z.name), ['Stalls', 'Balcony', 'Balcony 2']);
    doc = addStanding(doc, { zone: 1, name: 'Floor', capacity: 300, outline: { shape: 'rectangle', x: 0, y: 600, width: 300, height: 100 } }).doc;
    doc = addTable(doc, { zone: 2, table: { name: 'Table 1', seats: 8, shape: 'round', x: 600, y: 700, radius: 26, booking: 'whole' } }).doc;
    doc = addArea(doc, { zone: 0, area: { shape: 'rectangle', x: 150, y: 10, width: 200, height: 40, text: 'STAGE' } }).doc;
    assert.equal(doc.zones[1].standing[0].key, 'floor');
    assert.equal(doc.zones[1].standing[0].category, 'standard');
    assert.equal(doc.zones[2].tables[0].key, 'table-1');
    assert.equal(tableSeats(doc.zones[2].tables[0]).length, 8);
    assert.ok(seatKeys(doc).has('table-1-8'));
    assert.equal(doc.zones[0].areas[0].text, 'STAGE');
    assert.deepEqual(counts(doc), {
      seats: 16,
      places: 300,
      by_category: { standard: 316 },
      by_zone: { Stalls: 8, Balcony: 300, 'Balcony 2': 8 },
    });
  });
});

describe('changing a selection', () => {
  test('moving, turning and renumbering keep every key', () => {
    const doc = withRows();
    const ids = zoneIds(doc, 0);
    const moved = moveItems(doc, ids, 10, -20).doc;
    const before = byKey(doc);
    for (const [key, seat] of byKey(moved)) {
      assert.equal(seat.x, before.get(key).x + 10);
      assert.equal(seat.y, before.get(key).y - 20);
    }
    const turned = rotateItems(doc, ids, 180).doc;
    assert.deepEqual([...byKey(turned).keys()], [...before.keys()]);
    // Half a turn about the block's middle swaps its corners.
    const first = byKey(turned).get('stalls-a-1');
    assert.deepEqual([first.x, first.y], [before.get('stalls-b-4').x, before.get('stalls-b-4').y]);
    const renumbered = renumberRow(doc, 0, 0, { scheme: 'rtl' }).doc;
    assert.equal(byKey(renumbered).get('stalls-a-1').number, '4');
    const renamed = renameRow(doc, 0, 0, 'AA').doc;
    assert.equal(byKey(renamed).get('stalls-a-1').row, 'AA');
  });

  test('a copy gets new keys and new rows, and its companions follow it', () => {
    let doc = withRows();
    doc = setSeatFields(doc, ['s:stalls-a-1'], { wheelchair: true }).doc;
    doc = setSeatFields(doc, ['s:stalls-a-2'], { companion_of: 'stalls-a-1' }).doc;
    const { doc: copied, ids } = copyItems(doc, rowIds(doc, 0, 0), 0, 100);
    assert.equal(ids.length, 4);
    const all = seatsOf(copied);
    assert.equal(new Set(all.map((s) => s.key)).size, 12);
    assert.deepEqual(copied.zones[0].rows.map((r) => r.name), ['A', 'B', 'C']);
    const copies = copied.zones[0].rows[2].seats;
    assert.deepEqual(copies.map((s) => s.key), ['stalls-c-1', 'stalls-c-2', 'stalls-c-3', 'stalls-c-4']);
    assert.equal(copies[1].companion_of, 'stalls-c-1');
    assert.equal(copies[0].y, doc.zones[0].rows[0].seats[0].y + 100);
    // The originals are as they were.
    assert.equal(byKey(copied).get('stalls-a-2').companion_of, 'stalls-a-1');
  });

  test('copying a table and a standing area gives new keys and names', () => {
    let doc = addTable(emptyDocument(), { zone: -1, table: { name: 'Table 1', seats: 4, shape: 'round', x: 100, y: 100, radius: 20 } }).doc;
    doc = addStanding(doc, { zone: 0, name: 'Floor', outline: { shape: 'rectangle', x: 0, y: 300, width: 100, height: 50 } }).doc;
    const copied = copyItems(doc, ['t:table-1', 'g:floor'], 100, 0);
    assert.deepEqual(copied.ids, ['t:table-1-2', 'g:floor-2']);
    assert.equal(copied.doc.zones[0].tables[1].name, 'Table 2');
    assert.equal(copied.doc.zones[0].standing[1].outline.x, 100);
  });

  test('flags: a wheelchair space is nobody companion; deleting it frees its companions', () => {
    let doc = withRows();
    doc = setSeatFields(doc, ['s:stalls-a-2'], { companion_of: 'stalls-a-1', note: 'aisle' }).doc;
    doc = setSeatFields(doc, ['s:stalls-a-1'], { wheelchair: true, restricted_view: true }).doc;
    const seat = byKey(doc).get('stalls-a-1');
    assert.equal(seat.wheelchair, true);
    assert.equal(seat.restricted_view, true);
    doc = setSeatFields(doc, ['s:stalls-a-1'], { restricted_view: false }).doc;
    assert.equal('restricted_view' in byKey(doc).get('stalls-a-1'), false);
    const gone = deleteItems(doc, ['s:stalls-a-1']).doc;
    assert.equal(byKey(gone).has('stalls-a-1'), false);
    assert.equal('companion_of' in byKey(gone).get('stalls-a-2'), false);
    assert.equal(byKey(gone).get('stalls-a-2').note, 'aisle');
    // A row whose seats all go goes too.
    const noRow = deleteItems(doc, rowIds(doc, 0, 1)).doc;
    assert.deepEqual(noRow.zones[0].rows.map((r) => r.name), ['A']);
  });

  test('categories: a new one gets a unique code, an edited one keeps its code', () => {
    let doc = withRows();
    const added = setCategory(doc, { name: 'Standard', color: '#ff0000' });
    assert.equal(added.code, 'standard-2');
    doc = setCategory(added.doc, { code: 'standard', name: 'Stalls', color: '#00ff00' }).doc;
    assert.deepEqual(doc.categories[0], { code: 'standard', name: 'Stalls', color: '#00ff00' });
    doc = setSeatFields(doc, rowIds(doc, 0, 0), { category: 'standard-2' }).doc;
    assert.deepEqual(counts(doc).by_category, { 'standard-2': 4, standard: 4 });
  });
});

describe('history', () => {
  test('undo and redo step through whole documents; a new edit drops the redo', () => {
    const start = emptyDocument();
    const history = createHistory(start);
    assert.equal(history.undo(), null);
    history.apply((doc) => addBlock(doc, { zone: -1, ...ROWS }));
    const one = history.doc;
    history.apply((doc) => moveItems(doc, zoneIds(doc, 0), 5, 5));
    assert.equal(history.undo(), one);
    assert.equal(history.undo(), start);
    assert.equal(history.canUndo(), false);
    assert.equal(history.redo(), one);
    assert.equal(history.canRedo(), true);
    history.apply((doc) => addZone(doc, { name: 'Balcony' }));
    assert.equal(history.canRedo(), false);
    assert.equal(history.doc.zones.length, 2);
  });

  test('it keeps at most its limit of steps', () => {
    const history = createHistory(emptyDocument(), 3);
    for (let i = 0; i < 5; i++) history.apply((doc) => addZone(doc, { name: `Z${i}` }));
    let steps = 0;
    while (history.undo()) steps++;
    assert.equal(steps, 3);
    assert.equal(history.doc.zones.length, 2);
  });
});
