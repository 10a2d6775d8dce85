// Row letters that stay on screen: zoomed into the middle of a wide section, the letters
// drawn at the rows' ends are off to the sides, so the rows shown carry their letter in a
// strip along the map's left edge.

import { el } from '../common/dom.js';
import { toScreen, visibleBox } from './viewport.js';

// From this seat pitch on screen (CSS px) the map is close enough to need the strip.
export const GUTTER_SEAT_PX = 12;
// Two letters closer than this on screen (CSS px): the second is left out.
const MIN_GAP_PX = 12;

/**
 * The rows whose own left-hand letter is off screen but which have seats on screen:
 * [{ row, y }] with y the world height of the leftmost seat shown, top to bottom.
 * `rows` are [{ row, points }] with the points in world units, left to right;
 * `labelGap` is how far left of a row's first seat its drawn letter sits.
 */
export function gutterRows(rows, visible, labelGap) {
  const right = visible.x + visible.width;
  const bottom = visible.y + visible.height;
  const out = [];
  for (const { row, points } of rows) {
    if (!points.length || points[0].x - labelGap >= visible.x) continue;
    const shown = points.find(
      (p) => p.x >= visible.x && p.x <= right && p.y >= visible.y && p.y <= bottom,
    );
    if (shown) out.push({ row, y: shown.y });
  }
  return out.sort((a, b) => a.y - b.y);
}

/** Screen heights for the letters, dropping any that would overlap the one above. */
export function spacedOut(labels, view, minGap = MIN_GAP_PX) {
  const out = [];
  let last = -Infinity;
  for (const { row, y } of labels) {
    const top = toScreen(view, { x: 0, y }).y;
    if (top - last < minGap) continue;
    out.push({ row, top });
    last = top;
  }
  return out;
}

export function createRowGutter(frame) {
  const strip = el('div', 'row-gutter');
  strip.setAttribute('aria-hidden', 'true');
  strip.hidden = true;
  frame.append(strip);

  return {
    /** Redraw for the view shown, from what the map drew ({ rows, labelGap }). */
    update(view, size, drawn, seatPx) {
      const near = seatPx >= GUTTER_SEAT_PX;
      const labels = near ? gutterRows(drawn.rows, visibleBox(view, size), drawn.labelGap) : [];
      strip.hidden = labels.length === 0;
      if (strip.hidden) return;
      strip.replaceChildren(
        ...spacedOut(labels, view).map(({ row, top }) => {
          const letter = el('span', 'row-gutter-label', row);
          letter.style.top = `${Math.round(top)}px`;
          return letter;
        }),
      );
    },
  };
}
