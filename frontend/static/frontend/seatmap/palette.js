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

/** True when white text reads better than black on `colour` (WCAG relative luminance). */
export function isDark(colour) {
  const rgb = parseColour(colour);
  if (!rgb) return false;
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return luminance < 0.18;
}

// A colour value goes into a style sheet: only characters a CSS colour can have.
const SAFE_COLOUR = /^[#(),.%\w\s-]+$/;
const SAFE_CODE = /^[\w-]+$/;

/** CSS rules colouring the free seats (and legend swatches) of each category with a colour. */
export function categoryRules(categories) {
  const rules = [];
  for (const { code, color } of categories) {
    if (!color || !SAFE_COLOUR.test(color) || !SAFE_CODE.test(code)) continue;
    const seat = `.seat[data-category="${code}"][data-status="available"]`;
    const ink = isDark(color) ? '#ffffff' : '#1b1f24';
    rules.push(
      `${seat} rect { fill: ${color}; stroke: rgba(0, 0, 0, 0.55); }`,
      `${seat} > text { fill: ${ink}; }`,
      `${seat} .flag-wheelchair { color: ${ink}; }`,
    );
  }
  return rules.join('\n');
}
