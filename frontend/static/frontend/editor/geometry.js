// Where the plan editor puts new seats: rows straight or curved, blocks of rows, aisles,
// numbering and row names, and the point maths (rotate, translate, snap). Pure: Node tests it.
//
// Plan units, y grows downwards (away from the stage). Angles are in degrees; a positive
// angle turns clockwise on screen, as SVG's rotate() does.

const RAD = Math.PI / 180;

function round(n) {
  return Math.round(n * 100) / 100 + 0; // + 0: no -0 in the document
}

/**
 * The slot (in seat positions from the first seat) of each of `count` seats, with an aisle
 * of `aisleWidth` positions after each seat listed in `aisles` (1-based: 4 = after the 4th).
 */
export function slots(count, aisles = [], aisleWidth = 1) {
  const after = new Set(aisles.map(Number).filter((a) => a >= 1 && a < count));
  const out = [];
  let slot = 0;
  for (let i = 0; i < count; i++) {
    out.push(slot);
    slot += 1 + (after.has(i + 1) ? aisleWidth : 0);
  }
  return out;
}

/** `count` seats `spacing` apart from (x, y) along `angle` (0: to the right), aisles skipped. */
export function straightRow({ x = 0, y = 0, count, spacing, angle = 0, aisles = [], aisleWidth = 1 }) {
  const dx = Math.cos(angle * RAD);
  const dy = Math.sin(angle * RAD);
  return slots(count, aisles, aisleWidth).map((s) => ({
    x: round(x + s * spacing * dx),
    y: round(y + s * spacing * dy),
  }));
}

/**
 * `count` seats on the circle about (cx, cy) of `radius`, `spacing` apart along the arc,
 * from `startAngle` (0: right of the centre, 90: below it). They run anticlockwise on
 * screen, which is left to right for a row below its centre (a stage-facing curve).
 */
export function arcRow({ cx = 0, cy = 0, radius, startAngle, count, spacing, aisles = [], aisleWidth = 1 }) {
  const step = spacing / radius / RAD; // degrees per seat position
  return slots(count, aisles, aisleWidth).map((s) => {
    const a = (startAngle - s * step) * RAD;
    return { x: round(cx + radius * Math.cos(a)), y: round(cy + radius * Math.sin(a)) };
  });
}

/** How many seat positions a row of `count` seats spans, aisles included (first to last). */
export function span(count, aisles = [], aisleWidth = 1) {
  const all = slots(count, aisles, aisleWidth);
  return all.length ? all[all.length - 1] : 0;
}

/**
 * A block of rows, front row first, each row's seats left to right. (x, y) is the middle of
 * the front row; further rows lie `rowGap` behind it (downwards, before `angle` turns the
 * whole block about (x, y)). `shape: 'arc'` curves each row about a centre `radius` in
 * front of the front row, the rows behind on concentric arcs growing outward with the same
 * spacing; `extraPerRow` adds seats to each row behind the one before.
 */
export function block({
  x = 0,
  y = 0,
  rows,
  seatsPerRow,
  spacing,
  rowGap,
  shape = 'straight',
  radius = 0,
  angle = 0,
  aisles = [],
  aisleWidth = 1,
  extraPerRow = 0,
}) {
  const out = [];
  for (let r = 0; r < rows; r++) {
    const count = seatsPerRow + r * extraPerRow;
    // Aisles keep their place counted from the middle of the row as rows grow.
    const shift = Math.floor((r * extraPerRow) / 2);
    const rowAisles = aisles.map((a) => Number(a) + shift);
    const width = span(count, rowAisles, aisleWidth) * spacing;
    let points;
    if (shape === 'arc' && radius > 0) {
      const ring = radius + r * rowGap;
      const half = width / 2 / ring / RAD;
      points = arcRow({
        cx: x,
        cy: y - radius,
        radius: ring,
        startAngle: 90 + half,
        count,
        spacing,
        aisles: rowAisles,
        aisleWidth,
      });
    } else {
      points = straightRow({ x: x - width / 2, y: y + r * rowGap, count, spacing, aisles: rowAisles, aisleWidth });
    }
    out.push(angle ? rotate(points, angle, { x, y }) : points);
  }
  return out;
}

/**
 * The printed numbers of `count` seats listed left to right. `ltr`: start, start+1, ...
 * from the left; `rtl`: from the right; `odd-even`: odd numbers on one side of the centre
 * aisle and even ones on the other (`oddSide`, left by default), both counting outward
 * from the centre (the usual scheme of halls with a centre aisle).
 */
export function numbers(count, { scheme = 'ltr', start = 1, oddSide = 'left' } = {}) {
  const first = Number(start) || 0;
  if (scheme === 'rtl') return Array.from({ length: count }, (_, i) => String(first + count - 1 - i));
  if (scheme === 'odd-even') {
    const odd = Math.abs(first % 2) === 1 ? first : first + 1;
    const even = odd + 1;
    const left = Math.ceil(count / 2);
    const out = [];
    for (let i = 0; i < count; i++) {
      const onLeft = i < left;
      const fromCentre = onLeft ? left - 1 - i : i - left;
      const base = onLeft === (oddSide === 'left') ? odd : even;
      out.push(String(base + 2 * fromCentre));
    }
    return out;
  }
  return Array.from({ length: count }, (_, i) => String(first + i));
}

/** Spreadsheet letters: 0 -> A, 25 -> Z, 26 -> AA, 27 -> AB, 701 -> ZZ, 702 -> AAA. */
export function letters(index) {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    out = String.fromCharCode(65 + rem) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/** The index `letters()` maps to a name (A -> 0, AA -> 26); -1 for anything else. */
export function letterIndex(name) {
  if (!/^[A-Z]+$/.test(name)) return -1;
  let n = 0;
  for (const ch of name) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/**
 * The names of `count` rows. `letters`: from `start` (a name such as "A" or "AA", default
 * A), leaving out the names in `skip` (halls often skip I and O); `numbers`: from `start`.
 */
export function rowNames(count, { style = 'letters', start, skip = [] } = {}) {
  if (style === 'numbers') {
    const first = Number(start ?? 1) || 0;
    return Array.from({ length: count }, (_, i) => String(first + i));
  }
  const skipped = new Set(skip.map((s) => String(s).toUpperCase()));
  let index = Math.max(0, letterIndex(String(start ?? 'A').toUpperCase()));
  const out = [];
  while (out.length < count) {
    const name = letters(index++);
    if (!skipped.has(name)) out.push(name);
  }
  return out;
}

/** One point turned `angle` degrees (clockwise on screen) about `centre`. */
export function rotatePoint(point, angle, centre = { x: 0, y: 0 }) {
  const a = angle * RAD;
  const dx = point.x - centre.x;
  const dy = point.y - centre.y;
  return {
    x: round(centre.x + dx * Math.cos(a) - dy * Math.sin(a)),
    y: round(centre.y + dx * Math.sin(a) + dy * Math.cos(a)),
  };
}

export function rotate(points, angle, centre) {
  return points.map((p) => rotatePoint(p, angle, centre));
}

export function translate(points, dx, dy) {
  return points.map((p) => ({ x: round(p.x + dx), y: round(p.y + dy) }));
}

/** A value, or each coordinate of a point, to the nearest multiple of `grid` (0: as is). */
export function snap(value, grid) {
  if (typeof value === 'object') return { x: snap(value.x, grid), y: snap(value.y, grid) };
  if (!grid) return value;
  return round(Math.round(value / grid) * grid);
}

/** The middle of the points' box; null for none. */
export function centreOf(points) {
  if (!points.length) return null;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  return { x: (Math.min(...xs) + Math.max(...xs)) / 2, y: (Math.min(...ys) + Math.max(...ys)) / 2 };
}
