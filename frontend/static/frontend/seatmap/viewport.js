// Zoom and pan maths for the seat map: pure functions, no DOM (Node's test runner imports them).
//
// A view is { x, y, scale }: the world point shown at the map's top-left corner and the
// CSS pixels per world unit. A size is { width, height } in CSS pixels; a box is
// { x, y, width, height } in world units; a point on screen is { x, y } in CSS pixels
// from the map's top-left corner.

/** The SVG viewBox that shows `view` in an element of `size`. */
export function viewBoxOf(view, size) {
  const w = size.width / view.scale;
  const h = size.height / view.scale;
  return `${round(view.x)} ${round(view.y)} ${round(w)} ${round(h)}`;
}

function round(n) {
  return Math.round(n * 1000) / 1000;
}

/** The world box `view` shows in an element of `size`. */
export function visibleBox(view, size) {
  return { x: view.x, y: view.y, width: size.width / view.scale, height: size.height / view.scale };
}

/** The world point under a screen point. */
export function toWorld(view, point) {
  return { x: view.x + point.x / view.scale, y: view.y + point.y / view.scale };
}

/** The screen point of a world point. */
export function toScreen(view, point) {
  return { x: (point.x - view.x) * view.scale, y: (point.y - view.y) * view.scale };
}

export function clampScale(scale, limits) {
  return Math.min(limits.max, Math.max(limits.min, scale));
}

/** A view of `scale` with the world point `centre` in the middle of `size`. */
export function centreOn(centre, scale, size) {
  return { x: centre.x - size.width / 2 / scale, y: centre.y - size.height / 2 / scale, scale };
}

/** The largest view (at most `maxScale`) that shows all of `box`, centred. */
export function fitBox(box, size, maxScale = Infinity) {
  const scale = Math.min(size.width / box.width, size.height / box.height, maxScale);
  return centreOn({ x: box.x + box.width / 2, y: box.y + box.height / 2 }, scale, size);
}

/** Zoom by `factor` (clamped to `limits`) keeping the world point under `point` where it is. */
export function zoomAt(view, factor, point, limits) {
  const scale = clampScale(view.scale * factor, limits);
  const anchor = toWorld(view, point);
  return { x: anchor.x - point.x / scale, y: anchor.y - point.y / scale, scale };
}

/** Move the picture by (dx, dy) screen pixels, as a finger dragging it does. */
export function panBy(view, dx, dy) {
  return { x: view.x - dx / view.scale, y: view.y - dy / view.scale, scale: view.scale };
}

/**
 * Two fingers went from `from` to `to` (pairs of screen points): the picture under them
 * scales with their distance and follows their midpoint.
 */
export function pinch(start, from, to, limits) {
  const before = Math.hypot(from[1].x - from[0].x, from[1].y - from[0].y);
  const after = Math.hypot(to[1].x - to[0].x, to[1].y - to[0].y);
  const factor = before > 0 ? after / before : 1;
  const midFrom = midpoint(from[0], from[1]);
  const midTo = midpoint(to[0], to[1]);
  const zoomed = zoomAt(start, factor, midFrom, limits);
  return panBy(zoomed, midTo.x - midFrom.x, midTo.y - midFrom.y);
}

function midpoint(a, b) {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

/**
 * Keep the hall in sight: along an axis where all of `box` fits, it stays centred; where it
 * does not, the view stays within it (no dragging into the empty space beyond its edge).
 */
export function keepInside(view, size, box) {
  const axis = (start, visible, from, length) =>
    visible >= length
      ? from + length / 2 - visible / 2
      : Math.min(from + length - visible, Math.max(from, start));
  return {
    x: axis(view.x, size.width / view.scale, box.x, box.width),
    y: axis(view.y, size.height / view.scale, box.y, box.height),
    scale: view.scale,
  };
}

/**
 * How far one may zoom: out to the fit of the whole hall, in until a seat `pitch` world
 * units wide is `maxSeatPx` on screen (and at least twice the fit, for small screens).
 */
export function zoomLimits(fitScale, pitch, maxSeatPx) {
  return { min: fitScale, max: Math.max(fitScale * 2, maxSeatPx / pitch) };
}

/**
 * The map's height for `box` at `width`: as tall as the hall fitted to the width needs,
 * between `minHeight` and `maxHeight`, and never scaled up beyond `maxScale`.
 */
export function frameHeight(box, width, { minHeight, maxHeight, maxScale }) {
  const scale = Math.min(width / box.width, maxHeight / box.height, maxScale);
  return Math.round(Math.min(maxHeight, Math.max(minHeight, box.height * scale)));
}

/** True when `inner` lies within `outer` (boxes in the same units). */
export function containsBox(outer, inner) {
  const eps = 1e-6;
  return (
    inner.x >= outer.x - eps &&
    inner.y >= outer.y - eps &&
    inner.x + inner.width <= outer.x + outer.width + eps &&
    inner.y + inner.height <= outer.y + outer.height + eps
  );
}
