// Zoom and pan of the editor's drawing: the wheel, two fingers, the +/−/Fit buttons; a drag
// pans when the caller says so (main.js decides what a drag means). Only the viewBox
// changes; the maths is the live map's (../seatmap/viewport.js).

import { centreOn, fitBox, panBy, pinch, toWorld, viewBoxOf, zoomAt } from '../seatmap/viewport.js';

const STEP = 1.5;
const WHEEL_RATE = 0.0015;
const PAD = 40; // plan units around the plan when it is fitted

export function createView(svg) {
  let content = { x: 0, y: 0, width: 1000, height: 800 };
  let view = { x: 0, y: 0, scale: 1 };
  let limits = { min: 0.05, max: 10 };
  const pointers = new Map();
  let gesture = null;

  function size() {
    return { width: svg.clientWidth || 1, height: svg.clientHeight || 1 };
  }

  function apply(next) {
    view = { ...next, scale: Math.min(limits.max, Math.max(limits.min, next.scale)) };
    svg.setAttribute('viewBox', viewBoxOf(view, size()));
    svg.dataset.zoom = view.scale.toFixed(3);
  }

  function local(event) {
    const rect = svg.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  const api = {
    /** The plan's box (plan units): what Fit shows. */
    setContent(box, pitch) {
      content = { x: box.x - PAD, y: box.y - PAD, width: box.width + 2 * PAD, height: box.height + 2 * PAD };
      const fit = fitBox(content, size()).scale;
      // In as far as a seat 80 px wide; out to a fifth of the whole plan.
      limits = { min: fit / 5, max: Math.max(fit * 4, 80 / pitch) };
    },
    fit() {
      apply(fitBox(content, size()));
    },
    zoomBy(factor, point = { x: size().width / 2, y: size().height / 2 }) {
      apply(zoomAt(view, factor, point, limits));
    },
    /** Show a plan box (a problem's seats) as large as fits, at most a seat's 60 px. */
    showBox(box, pitch) {
      const grown = { x: box.x - pitch * 2, y: box.y - pitch * 2, width: box.width + pitch * 4, height: box.height + pitch * 4 };
      const next = fitBox(grown, size(), 60 / pitch);
      apply(next);
    },
    /** The plan point under a pointer event. */
    toPlan(event) {
      return toWorld(view, local(event));
    },
    /** The plan point in the middle of the drawing. */
    middle() {
      const s = size();
      return toWorld(view, { x: s.width / 2, y: s.height / 2 });
    },
    /** Start panning with this pointer (a drag on empty space, the middle button). */
    startPan(event) {
      gesture = { kind: 'pan', origin: local(event), start: view, id: event.pointerId };
      svg.setPointerCapture?.(event.pointerId);
    },
    /** Whether the view is handling this pointer (a pan or a pinch). */
    owns(event) {
      return gesture !== null && (gesture.kind === 'pinch' || gesture.id === event.pointerId);
    },
    refresh() {
      apply(view);
    },
    centre: (point) => apply(centreOn(point, view.scale, size())),
  };

  svg.addEventListener(
    'wheel',
    (event) => {
      event.preventDefault();
      const unit = [1, 16, size().height][event.deltaMode] ?? 1;
      api.zoomBy(Math.exp(-event.deltaY * unit * WHEEL_RATE), local(event));
    },
    { passive: false },
  );
  // Capture: a second finger turns whatever the first started into a pinch.
  svg.addEventListener(
    'pointerdown',
    (event) => {
      if (event.pointerType !== 'touch') return;
      pointers.set(event.pointerId, local(event));
      if (pointers.size === 2) {
        gesture = { kind: 'pinch', from: [...pointers.values()], start: view };
        event.stopPropagation();
      }
    },
    true,
  );
  svg.addEventListener('pointermove', (event) => {
    if (pointers.has(event.pointerId)) pointers.set(event.pointerId, local(event));
    if (gesture?.kind === 'pinch' && pointers.size >= 2) {
      apply(pinch(gesture.start, gesture.from, [...pointers.values()].slice(0, 2), limits));
    } else if (gesture?.kind === 'pan' && gesture.id === event.pointerId) {
      const p = local(event);
      apply(panBy(gesture.start, p.x - gesture.origin.x, p.y - gesture.origin.y));
    }
  });
  const end = (event) => {
    pointers.delete(event.pointerId);
    if (gesture?.kind === 'pinch' && pointers.size < 2) gesture = null;
    else if (gesture?.id === event.pointerId) gesture = null;
  };
  svg.addEventListener('pointerup', end);
  svg.addEventListener('pointercancel', end);
  new ResizeObserver(() => apply(view)).observe(svg);
  return { ...api, step: STEP };
}
