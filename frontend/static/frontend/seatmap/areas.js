// Plan areas (stage, polygons, ellipses, labels) drawn under the seats, in plan units.
// `areaParts` and `areaBounds` are pure (Node tests them); `drawAreas` puts them in the SVG.

import { svgEl } from '../common/dom.js';

const SHAPE_FILL = '#e5e7eb';
const TEXT_FILL = '#374151';
const DEFAULT_TEXT_SIZE = 16;

function n(value, fallback = 0) {
  const number = Number(value);
  return Number.isFinite(number) ? number : fallback;
}

/** The shape's middle, where its caption goes. */
function centreOf(area) {
  const x = n(area.x);
  const y = n(area.y);
  if (area.shape === 'rectangle') return { x: x + n(area.width) / 2, y: y + n(area.height) / 2 };
  if (area.shape === 'polygon' && area.points?.length) {
    const xs = area.points.map((p) => n(p[0]));
    const ys = area.points.map((p) => n(p[1]));
    return {
      x: (Math.min(...xs) + Math.max(...xs)) / 2,
      y: (Math.min(...ys) + Math.max(...ys)) / 2,
    };
  }
  return { x, y };
}

/**
 * The SVG elements for one area as data: [{ tag, attrs, text? }]. Colours go in as
 * presentation attributes (a value that is no colour is ignored by the browser).
 */
export function areaParts(area) {
  const x = n(area.x);
  const y = n(area.y);
  const paint = { fill: area.color || SHAPE_FILL };
  if (area.border_color) paint.stroke = area.border_color;
  const parts = [];
  switch (area.shape) {
    case 'rectangle': {
      const w = n(area.width);
      const h = n(area.height);
      const rect = {
        x: Math.min(x, x + w),
        y: Math.min(y, y + h),
        width: Math.abs(w),
        height: Math.abs(h),
      };
      parts.push({ tag: 'rect', attrs: { ...rect, ...paint } });
      break;
    }
    case 'ellipse':
      parts.push({
        tag: 'ellipse',
        attrs: { cx: x, cy: y, rx: Math.abs(n(area.rx)), ry: Math.abs(n(area.ry)), ...paint },
      });
      break;
    case 'circle':
      parts.push({ tag: 'circle', attrs: { cx: x, cy: y, r: Math.abs(n(area.radius)), ...paint } });
      break;
    case 'polygon': {
      const points = (area.points ?? []).map((p) => `${n(p[0])},${n(p[1])}`).join(' ');
      if (points) parts.push({ tag: 'polygon', attrs: { points, ...paint } });
      break;
    }
    case 'text':
      break;
    default:
      return [];
  }
  if (area.text) {
    const at = centreOf(area);
    const size = n(area.text_size, DEFAULT_TEXT_SIZE) || DEFAULT_TEXT_SIZE;
    const fill = area.text_color || TEXT_FILL;
    const attrs = { class: 'area-text', x: at.x, y: at.y, 'font-size': size, fill };
    parts.push({ tag: 'text', attrs, text: String(area.text) });
  }
  return parts;
}

/** SVG transform for the area's rotation (degrees clockwise about its x/y), or null. */
export function areaTransform(area) {
  const angle = n(area.rotation);
  return angle ? `rotate(${angle} ${n(area.x)} ${n(area.y)})` : null;
}

function rotate(point, angle, about) {
  const rad = (angle * Math.PI) / 180;
  const dx = point.x - about.x;
  const dy = point.y - about.y;
  return {
    x: about.x + dx * Math.cos(rad) - dy * Math.sin(rad),
    y: about.y + dx * Math.sin(rad) + dy * Math.cos(rad),
  };
}

/** The box the area covers on the plan, rotation included (text: roughly); null if empty. */
export function areaBounds(area) {
  const x = n(area.x);
  const y = n(area.y);
  let corners;
  switch (area.shape) {
    case 'rectangle': {
      const [right, bottom] = [x + n(area.width), y + n(area.height)];
      corners = [[x, y], [right, y], [x, bottom], [right, bottom]];
      break;
    }
    case 'ellipse': {
      const rx = Math.abs(n(area.rx));
      const ry = Math.abs(n(area.ry));
      corners = [[x - rx, y - ry], [x + rx, y - ry], [x - rx, y + ry], [x + rx, y + ry]];
      break;
    }
    case 'circle': {
      const r = Math.abs(n(area.radius));
      corners = [[x - r, y - r], [x + r, y + r]];
      break;
    }
    case 'polygon':
      corners = (area.points ?? []).map((p) => [n(p[0]), n(p[1])]);
      break;
    case 'text': {
      const size = n(area.text_size, DEFAULT_TEXT_SIZE) || DEFAULT_TEXT_SIZE;
      const half = (String(area.text ?? '').length * size * 0.6) / 2;
      corners = [[x - half, y - size / 2], [x + half, y + size / 2]];
      break;
    }
    default:
      return null;
  }
  if (!corners.length) return null;
  const angle = n(area.rotation);
  const points = corners.map(([px, py]) =>
    angle ? rotate({ x: px, y: py }, angle, { x, y }) : { x: px, y: py },
  );
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const minX = Math.min(...xs);
  const minY = Math.min(...ys);
  return { x: minX, y: minY, width: Math.max(...xs) - minX, height: Math.max(...ys) - minY };
}

/** Replace the layer's content with the areas, in order (later ones on top). */
export function drawAreas(layer, areas) {
  const frag = document.createDocumentFragment();
  for (const area of areas) {
    const parts = areaParts(area);
    if (!parts.length) continue;
    const g = svgEl('g', { class: `area area-${area.shape}` });
    const transform = areaTransform(area);
    if (transform) g.setAttribute('transform', transform);
    for (const part of parts) g.append(svgEl(part.tag, part.attrs, part.text ?? null));
    frag.append(g);
  }
  layer.replaceChildren(frag);
}
