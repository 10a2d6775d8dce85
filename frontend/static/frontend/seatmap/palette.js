// Category colours: a free seat takes its price category's colour when the plan gives one.
// Pure (Node tests it): builds the CSS rules the map puts in one <style> element, so a
// status change still touches one attribute and no seat carries inline styles.

/** [r, g, b] of a #rgb / #rrggbb / rgb() colour; null for anything else. */
export function parseColour(colour) {
  const text = String(colour ?? '').trim().toLowerCase();
  let m = text.match(/^#([0-9a-f]{3})$/);
  if (m) return [...m[1]].map((c) => parseInt(c + c, 16));
  m = text.match(/^#([0-9a-f]{6})$/);
  if (m) return [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16));
  m = text.match(/^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/);
  if (m) return m.slice(1, 4).map(Number);
  return null;
}

const WHITE = [255, 255, 255];
const INK = [27, 31, 36]; // --ink
// WCAG 1.4.3: small text (seat numbers) needs 4.5:1 against its fill.
export const TEXT_CONTRAST = 4.5;

/** WCAG relative luminance of [r, g, b]. */
export function luminance(rgb) {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The WCAG contrast ratio of two [r, g, b] colours (1 to 21). */
export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** True when white text reads better than the dark ink on `colour`. */
export function isDark(colour) {
  const rgb = parseColour(colour);
  if (!rgb) return false;
  return contrast(rgb, WHITE) > contrast(rgb, INK);
}

function mix(rgb, towards, share) {
  return rgb.map((v, i) => Math.round(v + (towards[i] - v) * share));
}

function hex(rgb) {
  return `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * A category colour made fit to carry seat numbers: the ink (white or dark) that reads
 * better on it, and the colour itself, or, where even that ink falls short of
 * TEXT_CONTRAST, the same hue darkened (under white) or lightened (under dark ink) just
 * enough. { fill, ink } as CSS colours; null for a colour it cannot read.
 */
export function readableFill(colour) {
  const rgb = parseColour(colour);
  if (!rgb) return null;
  const ink = contrast(rgb, WHITE) > contrast(rgb, INK) ? WHITE : INK;
  const towards = ink === WHITE ? [0, 0, 0] : WHITE;
  let fill = rgb;
  for (let step = 1; contrast(fill, ink) < TEXT_CONTRAST && step <= 20; step += 1) {
    fill = mix(rgb, towards, step * 0.05);
  }
  return { fill: hex(fill), ink: hex(ink) };
}

// A colour value goes into a style sheet: only characters a CSS colour can have.
const SAFE_CODE = /^[\w-]+$/;

/** CSS rules colouring the free seats (and legend swatches) of each category with a colour. */
export function categoryRules(categories) {
  const rules = [];
  for (const { code, color } of categories) {
    const readable = color ? readableFill(color) : null;
    if (!readable || !SAFE_CODE.test(code)) continue;
    const { fill, ink } = readable;
    const seat = `.seat[data-category="${code}"][data-status="available"]`;
    const swatch = `.swatch-seat[data-category="${code}"]`;
    rules.push(
      `${seat} rect, ${swatch} rect { fill: ${fill}; stroke: var(--category-line, var(--_category-line)); }`,
      `${seat} > text { fill: ${ink}; }`,
      `${seat} .flag-wheelchair { color: ${ink}; }`,
    );
  }
  return rules.join('\n');
}
