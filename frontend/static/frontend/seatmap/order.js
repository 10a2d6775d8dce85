// Plan order, the one order seats are listed in for people (docs/best-available.md):
// sections and rows front to back (a row's place is the mean y of its seats, so a
// curved row is placed by its middle; a section comes where its frontmost row comes),
// seats by number, then label in natural order ("A2" before "A10"), then id.
// The twin of seats/ordering.py: change both together. Pure; Node tests import it.

const DIGITS = /(\d+)/;

function chunks(text) {
  return String(text ?? '')
    .split(DIGITS)
    .filter((part) => part !== '')
    .map((part) => (/^\d+$/.test(part) ? [0, Number(part), ''] : [1, 0, part.toLowerCase()]));
}

function compareTuples(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    const [x, y] = [a[i], b[i]];
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return a.length - b.length;
}

/** "2" before "10", "A2" before "A10"; letters compare case-blind. */
export function naturalCompare(a, b) {
  const [x, y] = [chunks(a), chunks(b)];
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    const order = compareTuples(x[i], y[i]);
    if (order !== 0) return order;
  }
  return x.length - y.length;
}

export function rowKey(seat) {
  return `${seat.section}\u0000${seat.row}`;
}

/** Row key -> its place front to back (0 the front), from every seat of the event. */
export function rowRanks(seats) {
  const rows = new Map(); // key -> { section, row, sum, n }
  for (const seat of seats) {
    const key = rowKey(seat);
    const row = rows.get(key) ?? { section: seat.section, row: seat.row, sum: 0, n: 0 };
    row.sum += seat.y;
    row.n += 1;
    rows.set(key, row);
  }
  const sectionDepth = new Map();
  for (const row of rows.values()) {
    row.depth = row.sum / row.n;
    const known = sectionDepth.get(row.section);
    if (known === undefined || row.depth < known) sectionDepth.set(row.section, row.depth);
  }
  const ordered = [...rows.entries()].sort(
    ([, a], [, b]) =>
      sectionDepth.get(a.section) - sectionDepth.get(b.section) ||
      naturalCompare(a.section, b.section) ||
      a.depth - b.depth ||
      naturalCompare(a.row, b.row),
  );
  return new Map(ordered.map(([key], i) => [key, i]));
}

/** A compare function for seats in plan order; `ranks` from `rowRanks`. */
export function planOrder(ranks) {
  const last = ranks.size;
  return (a, b) =>
    (ranks.get(rowKey(a)) ?? last) - (ranks.get(rowKey(b)) ?? last) ||
    naturalCompare(a.section, b.section) ||
    naturalCompare(a.row, b.row) ||
    a.number - b.number ||
    naturalCompare(a.label, b.label) ||
    a.id - b.id;
}
