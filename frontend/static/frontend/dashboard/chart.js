// Activity chart: stacked bars of seats per reason per second, drawn as plain SVG.

import { svgEl } from '../common/dom.js';
import { REASONS } from './activity.js';

const LEFT = 34;
const TOP = 8;
const BAR = 2; // px per second: 300 seconds fill 600 px
const PLOT_H = 140;
const BOTTOM = 22;

/** A round top for the y axis: 1, 2, 5, 10, 20, 50, ... */
function niceMax(value) {
  let step = 1;
  while (step * 10 <= value) step *= 10;
  for (const m of [1, 2, 5, 10]) if (m * step >= value) return m * step;
  return value;
}

/** "Seats in the last 5 minutes: 2 held, 1 booked. Busiest second: 2." Pure, for Node's tests. */
export function summaryText(sums, peak) {
  const parts = REASONS.filter((r) => sums[r]).map((r) => `${sums[r]} ${r}`);
  if (!parts.length) return 'No changes in the last 5 minutes.';
  return `Seats in the last 5 minutes: ${parts.join(', ')}. Busiest second: ${peak}.`;
}

export function createChart(svg, { summary, totals }) {
  const width = LEFT + 300 * BAR + 8;
  svg.setAttribute('viewBox', `0 0 ${width} ${TOP + PLOT_H + BOTTOM}`);
  const totalEls = new Map([...totals].map((el) => [el.dataset.total, el]));

  /** Redraw from `slots` (oldest first, one per second, null when quiet). */
  return function draw(slots) {
    const sums = Object.fromEntries(REASONS.map((r) => [r, 0]));
    let peak = 0;
    for (const slot of slots) {
      if (!slot) continue;
      let stack = 0;
      for (const r of REASONS) {
        sums[r] += slot[r];
        stack += slot[r];
      }
      peak = Math.max(peak, stack);
    }
    const top = niceMax(Math.max(peak, 1));
    const scale = PLOT_H / top;
    const base = TOP + PLOT_H;
    const frag = document.createDocumentFragment();
    frag.append(
      svgEl('line', { class: 'chart-grid', x1: LEFT, x2: LEFT + slots.length * BAR, y1: TOP, y2: TOP }),
      svgEl('line', { class: 'chart-axis', x1: LEFT, x2: LEFT + slots.length * BAR, y1: base, y2: base }),
      svgEl('text', { class: 'chart-label y', x: LEFT - 6, y: TOP + 4 }, String(top)),
      svgEl('text', { class: 'chart-label y', x: LEFT - 6, y: base }, '0'),
      svgEl('text', { class: 'chart-label start', x: LEFT, y: base + 16 }, '5 min ago'),
      svgEl('text', { class: 'chart-label end', x: LEFT + slots.length * BAR, y: base + 16 }, 'now'),
    );
    for (let minute = 1; minute < 5; minute++) {
      const x = LEFT + (slots.length - minute * 60) * BAR;
      frag.append(
        svgEl('line', { class: 'chart-grid', x1: x, x2: x, y1: TOP, y2: base }),
        svgEl('text', { class: 'chart-label mid', x, y: base + 16 }, `${minute} min`),
      );
    }
    slots.forEach((slot, i) => {
      if (!slot) return;
      let y = base;
      for (const reason of REASONS) {
        const count = slot[reason];
        if (!count) continue;
        const h = Math.max(1, count * scale);
        y -= h;
        frag.append(
          svgEl('rect', {
            class: `bar bar-${reason}`,
            'data-reason': reason,
            'data-count': count,
            x: LEFT + i * BAR,
            y,
            width: BAR - 0.4,
            height: h,
          }),
        );
      }
    });
    svg.replaceChildren(frag);

    for (const [reason, el] of totalEls) el.textContent = String(sums[reason] ?? 0);
    summary.textContent = summaryText(sums, peak);
  };
}
