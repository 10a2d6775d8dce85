// Zoom and pan on the seat map: wheel, drag, pinch, the +/−/fit buttons and the + - 0 keys.
// Only the SVG's viewBox changes (the maths is in viewport.js): no seat is redrawn.

import { focusedIn } from '../common/dom.js';
import {
  centreOn,
  clampScale,
  containsBox,
  fitBox,
  frameHeight,
  keepInside,
  panBy,
  pinch,
  toWorld,
  viewBoxOf,
  visibleBox,
  zoomAt,
  zoomLimits,
} from './viewport.js';

const FIT_MAX_SCALE = 1.25; // a small venue fits at most this big (seats 25 px)
const MAX_SEAT_PX = 64; // zooming in stops when a seat's pitch is this wide on screen
const MIN_HEIGHT = 200;
const MAX_HEIGHT_SHARE = 0.85; // of the window's height
const BOTTOM_ROOM = 16; // the whole hall ends this far above the first screen's bottom
const STEP = 1.5; // one button press or key
const DRAG_PX = 6; // a press that moves further is a drag, not a click
const TAP_SEAT_PX = 12; // a finger cannot pick seats closer together than this (pitch on screen)
export const USABLE_SEAT_PX = 24; // a section or a tap zooms seats to at least this pitch
const DETAIL_PX = 20; // seat numbers (10 of the pitch's 24 units: 8 px and up) are drawn from this pitch on
const WHEEL_RATE = 0.0015; // zoom per pixel of wheel travel

/**
 * `frame` wraps the SVG and the zoom buttons; `onLayout()` runs after the map's size or
 * content changed, `onView()` after every move.
 */
export function createZoom(
  frame,
  svg,
  { onLayout = () => {}, onView = () => {}, onTapZoom = () => {} } = {},
) {
  let content = null; // { box, pitch, zones } from the seat map, world units
  let size = { width: 1, height: 1 };
  let view = null;
  let fitView = null;
  let limits = { min: 1, max: 1 };
  let moved = false; // the visitor zoomed or panned since the last fit
  const pointers = new Map(); // pointerId -> screen point
  let gesture = null;
  let swallowClick = false;
  let lastPointerType = 'mouse';

  function seatPx(scale = view?.scale ?? 1) {
    return (content?.pitch ?? 1) * scale;
  }

  function apply(next) {
    view = keepInside({ ...next, scale: clampScale(next.scale, limits) }, size, content.box);
    svg.setAttribute('viewBox', viewBoxOf(view, size));
    frame.classList.toggle('is-zoomed', view.scale > limits.min * 1.01);
    frame.dataset.zoom = (view.scale / limits.min).toFixed(2);
    const detail = seatPx() >= DETAIL_PX ? 'high' : 'low';
    if (svg.dataset.detail !== detail) svg.dataset.detail = detail;
    onView(view, size);
  }

  function move(next) {
    moved = true;
    apply(next);
  }

  // The frame's width as the ResizeObserver last reported it, and its vertical border:
  // reading them from the DOM after a build would force a layout of every seat.
  let frameWidth = frame.clientWidth;
  const borderY = frame.offsetHeight - frame.clientHeight;

  function pageTop() {
    return frame.getBoundingClientRect().top + window.scrollY;
  }

  function layout(refit, settle = true) {
    const width = frameWidth;
    if (!content || !width) return;
    // The whole hall fits in the first screen: the map takes the height left below what
    // comes before it on the page (as far as the window allows), never less than MIN_HEIGHT.
    const top = pageTop();
    const below = window.innerHeight - top - BOTTOM_ROOM;
    const share = window.innerHeight * MAX_HEIGHT_SHARE;
    const maxHeight = Math.max(MIN_HEIGHT, Math.round(Math.min(share, below)));
    const height = frameHeight(content.box, width, {
      minHeight: MIN_HEIGHT,
      maxHeight,
      maxScale: FIT_MAX_SCALE,
    });
    frame.style.height = `${height + borderY}px`;
    const centre = view && toWorld(view, { x: size.width / 2, y: size.height / 2 });
    size = { width, height };
    fitView = fitBox(content.box, size, FIT_MAX_SCALE);
    limits = zoomLimits(fitView.scale, content.pitch, MAX_SEAT_PX);
    if (refit || !moved || !view) {
      moved = false;
      apply(fitView);
    } else {
      apply(centreOn(centre, view.scale, size));
    }
    onLayout();
    // onLayout may show or hide what sits above the map (the section buttons): fit again
    // to the height that leaves, once.
    if (settle && Math.abs(pageTop() - top) > 1) layout(refit, false);
  }

  /** A point on screen (relative to the map) from a pointer or mouse event. */
  function local(event) {
    const rect = svg.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  function middle() {
    return { x: size.width / 2, y: size.height / 2 };
  }

  /** Where the keyboard is: the focused seat if it is on screen, else the middle. */
  function focusPoint() {
    const active = focusedIn(svg);
    if (!(active instanceof Element) || !svg.contains(active)) return middle();
    const box = active.getBoundingClientRect();
    const point = local({ clientX: box.left + box.width / 2, clientY: box.top + box.height / 2 });
    const inside = point.x >= 0 && point.y >= 0 && point.x <= size.width && point.y <= size.height;
    return inside ? point : middle();
  }

  /** The smallest zone whose box holds a world point. */
  function zoneAt(point) {
    let best = null;
    for (const zone of content?.zones ?? []) {
      const { box } = zone;
      const inside =
        point.x >= box.x &&
        point.y >= box.y &&
        point.x <= box.x + box.width &&
        point.y <= box.y + box.height;
      if (inside && (!best || box.width * box.height < best.box.width * best.box.height)) best = zone;
    }
    return best;
  }

  const api = {
    /** A new drawing (after a snapshot); the view is kept unless the hall changed. */
    setContent(geometry) {
      const changed = !content || JSON.stringify(content.box) !== JSON.stringify(geometry.box);
      content = geometry;
      layout(changed);
    },

    fit() {
      if (!content) return;
      moved = false;
      apply(fitView);
    },

    /** Zoom by `factor` about a screen point (default: the focused seat or the middle). */
    zoomBy(factor, point = focusPoint()) {
      if (content) move(zoomAt(view, factor, point, limits));
    },

    /** Show a world box as large as fits (a zone). */
    showBox(box) {
      if (content) move(fitBox(box, size, limits.max));
    },

    /**
     * Show a zone with its seats at least USABLE_SEAT_PX apart: whole if it fits at that
     * size, else its front middle (the stage is at the top), the rest a drag away.
     */
    showZone(box) {
      if (!content) return;
      const whole = fitBox(box, size, limits.max);
      const usable = clampScale(USABLE_SEAT_PX / content.pitch, limits);
      if (whole.scale >= usable) {
        move(whole);
        return;
      }
      const halfHeight = size.height / usable / 2;
      const front = { x: box.x + box.width / 2, y: Math.min(box.y + box.height / 2, box.y + halfHeight) };
      move(centreOn(front, usable, size));
    },

    /** Bring a world point into view without changing the zoom. */
    reveal(point) {
      if (!content || !point) return;
      const margin = content.pitch;
      const seat = { x: point.x - margin, y: point.y - margin, width: 2 * margin, height: 2 * margin };
      if (!containsBox(visibleBox(view, size), seat)) move(centreOn(point, view.scale, size));
    },

    /** A seat's pitch on screen now, and when the whole hall is shown. */
    seatPx: () => seatPx(),
    fitSeatPx: () => seatPx(fitView?.scale ?? 1),
    zones: () => content?.zones ?? [],
    isFit: () => !moved,
  };

  /**
   * A finger tapped seats too small to pick: show its whole zone if that makes them
   * usable, else zoom in around the finger until they are; then say that the next tap
   * picks (onTapZoom gets the seat under the finger, if any).
   */
  function tapZoom(point, target) {
    const zone = zoneAt(toWorld(view, point));
    const zoneView = zone && fitBox(zone.box, size, limits.max);
    if (zoneView && seatPx(zoneView.scale) >= USABLE_SEAT_PX) api.showBox(zone.box);
    else move(zoomAt(view, USABLE_SEAT_PX / seatPx(), point, limits));
    onTapZoom(target);
  }

  frame.addEventListener(
    'wheel',
    (event) => {
      if (!content) return;
      // deltaMode: 0 pixels, 1 lines, 2 pages.
      const unit = [1, 16, size.height][event.deltaMode] ?? 1;
      const pixels = event.deltaY * unit;
      const factor = Math.exp(-pixels * WHEEL_RATE);
      // Zoomed all the way out, a wheel turned further scrolls the page as usual.
      if (factor < 1 && view.scale <= limits.min) return;
      event.preventDefault();
      move(zoomAt(view, factor, local(event), limits));
    },
    { passive: false },
  );

  frame.addEventListener('pointerdown', (event) => {
    if (!content || event.target.closest('.map-tools')) return;
    if (event.pointerType === 'mouse' && event.button !== 0) return;
    lastPointerType = event.pointerType;
    pointers.set(event.pointerId, local(event));
    if (pointers.size === 1) {
      swallowClick = false;
      gesture = { kind: 'press', origin: local(event), start: view, id: event.pointerId };
    } else if (pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      gesture = { kind: 'pinch', from: [a, b], start: view };
      swallowClick = true;
      for (const id of pointers.keys()) frame.setPointerCapture?.(id);
    }
  });

  frame.addEventListener('pointermove', (event) => {
    if (!pointers.has(event.pointerId) || !gesture) return;
    const point = local(event);
    pointers.set(event.pointerId, point);
    if (gesture.kind === 'pinch' && pointers.size >= 2) {
      const [a, b] = [...pointers.values()];
      move(pinch(gesture.start, gesture.from, [a, b], limits));
      return;
    }
    if (gesture.id !== event.pointerId) return;
    const dx = point.x - gesture.origin.x;
    const dy = point.y - gesture.origin.y;
    if (gesture.kind === 'press' && Math.hypot(dx, dy) > DRAG_PX) {
      gesture.kind = 'drag';
      swallowClick = true;
      frame.setPointerCapture?.(event.pointerId);
      frame.classList.add('is-dragging');
    }
    if (gesture.kind === 'drag') move(panBy(gesture.start, dx, dy));
  });

  function pointerGone(event) {
    if (!pointers.delete(event.pointerId)) return;
    if (pointers.size === 1 && gesture?.kind === 'pinch') {
      // One finger lifted from a pinch: the other drags on from where it is.
      const [[id, point]] = [...pointers];
      gesture = { kind: 'drag', origin: point, start: view, id };
    } else if (pointers.size === 0) {
      gesture = null;
      frame.classList.remove('is-dragging');
    }
  }
  frame.addEventListener('pointerup', pointerGone);
  frame.addEventListener('pointercancel', pointerGone);

  // Capture phase: decided before the map's own click listener sees the click.
  frame.addEventListener(
    'click',
    (event) => {
      if (swallowClick) {
        swallowClick = false;
        event.stopPropagation();
        event.preventDefault();
        return;
      }
      const tiny = content && seatPx() < TAP_SEAT_PX;
      if (tiny && lastPointerType === 'touch' && svg.contains(event.target)) {
        event.stopPropagation();
        event.preventDefault();
        tapZoom(local(event), event.target);
      }
    },
    true,
  );

  frame.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || !content) return;
    if (event.target.closest('input, select, textarea')) return;
    if (event.key === '+' || event.key === '=') api.zoomBy(STEP);
    else if (event.key === '-' || event.key === '_') api.zoomBy(1 / STEP);
    else if (event.key === '0') api.fit();
    else return;
    event.preventDefault();
  });

  for (const button of frame.querySelectorAll('[data-zoom]')) {
    button.addEventListener('click', () => {
      const action = button.dataset.zoom;
      if (action === 'fit') api.fit();
      else api.zoomBy(action === 'in' ? STEP : 1 / STEP, middle());
    });
  }

  new ResizeObserver((entries) => {
    const width = Math.round(entries.at(-1).contentRect.width);
    if (width === frameWidth) return;
    frameWidth = width;
    layout(false);
  }).observe(frame);
  const resized = () => layout(false);
  window.addEventListener('resize', resized);
  api.destroy = () => window.removeEventListener('resize', resized);

  return api;
}
