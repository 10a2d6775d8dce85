// Where things go on the seat map: seat spacing, the world scale, boxes, rows and zone outlines.
// Pure functions on seats ({ x, y, section, row } in plan units); Node's test runner imports them.
//
// The map draws in "world" units where neighbouring seats are PITCH apart, whatever the
// plan's own units (a grid venue: 1 per seat; a pretix plan: pixels, ~28 per seat), so
// seats, numbers and row labels keep one size and only the plan's coordinates scale.

export const PITCH = 24; // world units from one seat to the next in a row
export const SEAT = 20; // world units: the side of a seat's square

function rowKey(seat) {
  return `${seat.section}\u0000${seat.row}`;
}

/** The seats of each row (by section and row name), each row ordered left to right. */
export function rowsOf(seats) {
  const rows = new Map();
  for (const seat of seats) {
    const key = rowKey(seat);
    if (!rows.has(key)) rows.set(key, []);
    rows.get(key).push(seat);
  }
  for (const row of rows.values()) row.sort((a, b) => a.x - b.x || a.y - b.y);
  return [...rows.values()];
}

/**
 * The usual distance between neighbouring seats of a row, in plan units: the median of
 * the gaps, so aisles and odd rows do not count. 1 when no row has two seats.
 */
export function seatPitch(seats) {
  const gaps = [];
  for (const row of rowsOf(seats)) {
    for (let i = 1; i < row.length; i++) {
      const gap = Math.hypot(row[i].x - row[i - 1].x, row[i].y - row[i - 1].y);
      if (gap > 0) gaps.push(gap);
    }
  }
  if (!gaps.length) return 1;
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1];
}

/** The smallest box holding every point; null for none. */
export function boundsOf(points) {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    if (p.x < minX) minX = p.x;
    if (p.y < minY) minY = p.y;
    if (p.x > maxX) maxX = p.x;
    if (p.y > maxY) maxY = p.y;
  }
  return minX === Infinity ? null : { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

/** `box` grown by dx on the left and right and dy above and below. */
export function pad(box, dx, dy = dx) {
  return { x: box.x - dx, y: box.y - dy, width: box.width + 2 * dx, height: box.height + 2 * dy };
}

/** The smallest box holding every given box (nulls are skipped); null for none. */
export function union(boxes) {
  const corners = [];
  for (const b of boxes) {
    if (!b) continue;
    corners.push({ x: b.x, y: b.y }, { x: b.x + b.width, y: b.y + b.height });
  }
  return boundsOf(corners);
}

/** `box` scaled by `k` about the origin (plan units to world units). */
export function scaleBox(box, k) {
  return box && { x: box.x * k, y: box.y * k, width: box.width * k, height: box.height * k };
}

function cross(o, a, b) {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

/** The convex hull of the points, clockwise on screen (monotone chain); duplicates dropped. */
export function convexHull(points) {
  const sorted = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  const unique = sorted.filter((p, i) => i === 0 || p.x !== sorted[i - 1].x || p.y !== sorted[i - 1].y);
  if (unique.length < 3) return unique;
  const half = (list) => {
    const out = [];
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2], out[out.length - 1], p) <= 0) out.pop();
      out.push(p);
    }
    out.pop();
    return out;
  };
  return [...half(unique), ...half([...unique].reverse())];
}

/** The first and last seat of every row, for the row labels at both ends. */
export function rowEnds(seats) {
  return rowsOf(seats).map((row) => ({ row: row[0].row, first: row[0], last: row[row.length - 1] }));
}

/**
 * The zones (seat sections) of the map, front first: their name, their seats' outline
 * (convex hull) and their box, in the seats' own units.
 */
export function zonesOf(seats) {
  const points = new Map();
  for (const seat of seats) {
    if (!points.has(seat.section)) points.set(seat.section, []);
    points.get(seat.section).push({ x: seat.x, y: seat.y });
  }
  const zones = [...points].map(([name, list]) => ({
    name,
    hull: convexHull(list),
    box: boundsOf(list),
  }));
  return zones.sort((a, b) => a.box.y - b.box.y || a.box.x - b.box.x);
}

/** An SVG path through the hull's points (a lone point or a pair still draws). */
export function hullPath(hull) {
  if (!hull.length) return '';
  const [first, ...rest] = hull.length === 1 ? [hull[0], hull[0]] : hull;
  const line = rest.map((p) => `L${num(p.x)} ${num(p.y)}`).join('');
  return `M${num(first.x)} ${num(first.y)}${line}Z`;
}

function num(n) {
  return Math.round(n * 100) / 100;
}
