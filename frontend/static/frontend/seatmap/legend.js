// Legend: live seat counts per status; per price category, its colour, price, rows and
// availability; and the seat features (wheelchair spaces, ...) the map has.

import { el, span, svgEl } from '../common/dom.js';
import { gettext, interpolate, ngettext } from '../common/i18n.js';
import { priceText } from '../common/texts.js';
import { FLAGS, FLAG_NAMES, flagMark, flagsOf } from './flags.js';

/** "rows A–C" from the first and last row (by position) of a category's seats. */
function rowsText(seats) {
  if (!seats.length) return '';
  const first = seats.reduce((a, b) => (b.y < a.y ? b : a));
  const last = seats.reduce((a, b) => (b.y > a.y ? b : a));
  if (first.row === last.row) return interpolate(gettext('row %(row)s'), { row: first.row }, true);
  return interpolate(gettext('rows %(first)s–%(last)s'), { first: first.row, last: last.row }, true);
}

/** Seat squares side by side, as the map draws them; each gets `attrs` of its own. */
function seatSwatch(seats) {
  const width = Math.max(1, seats.length) * 22 + 2;
  const svg = svgEl('svg', {
    class: 'swatch',
    viewBox: `-2 -2 ${width} 24`,
    'aria-hidden': 'true',
    focusable: 'false',
  });
  svg.style.width = `${(width / 24) * 1.4}rem`;
  seats.forEach(({ attrs, mark }, i) => {
    const seat = svgEl('g', { class: 'swatch-seat', transform: `translate(${i * 22} 0)`, ...attrs });
    seat.append(svgEl('rect', { width: 20, height: 20, rx: 4 }));
    if (mark) seat.append(mark);
    svg.append(seat);
  });
  return svg;
}

/** A small outline like the map's standing areas and tables (class: its look in app.css). */
function shapeSwatch(className) {
  const svg = svgEl('svg', { class: `swatch ${className}`, viewBox: '-2 -2 24 24', 'aria-hidden': 'true', focusable: 'false' });
  svg.append(
    className === 'table-swatch'
      ? svgEl('circle', { cx: 10, cy: 10, r: 8 })
      : svgEl('rect', { width: 20, height: 20, rx: 2 }),
  );
  return svg;
}

/** A seat square with one flag's mark, as the map draws it. */
function flagSwatch(flag) {
  return seatSwatch([{ attrs: { 'data-status': 'available' }, mark: flagMark(flag) }]);
}

// The status legend's "Available" shows at most this many category colours.
const AVAILABLE_SWATCH_SEATS = 4;

export function createLegend(root = document) {
  const statusCounts = [...root.querySelectorAll('[data-legend-count]')];
  let availableSwatch = root.querySelector('[data-legend-count="available"]')?.closest('li')
    ?.querySelector('.swatch');
  const list = root.getElementById('category-legend');
  const flagList = root.getElementById('flag-legend');
  let items = new Map(); // category code -> the <span> holding its availability

  /** One entry per seat feature present on the map; the list hides when there is none. */
  function buildFlags(seats) {
    if (!flagList) return;
    const present = new Set();
    for (const seat of seats) for (const flag of flagsOf(seat)) present.add(flag);
    const entries = FLAGS.filter((flag) => present.has(flag)).map((flag) => {
      const li = el('li');
      li.dataset.flag = flag;
      li.append(flagSwatch(flag), span('legend-label', FLAG_NAMES[flag]));
      return li;
    });
    flagList.replaceChildren(...entries);
    flagList.hidden = entries.length === 0;
  }

  /** What the plan has besides seats, explained below the seat features. */
  function explain(plan) {
    if (!flagList) return;
    const entries = [];
    if ((plan?.standing ?? []).length) {
      const li = el('li');
      li.dataset.flag = 'standing';
      li.append(
        shapeSwatch('standing-swatch'),
        span('legend-label', gettext('Standing: click the area and choose how many places')),
      );
      entries.push(li);
    }
    if ((plan?.tables ?? []).some((t) => t.booking !== 'seats')) {
      const li = el('li');
      li.dataset.flag = 'whole-table';
      const text = gettext('Table sold whole: one click holds all its seats');
      li.append(shapeSwatch('table-swatch'), span('legend-label', text));
      entries.push(li);
    }
    if (!entries.length) return;
    flagList.append(...entries);
    flagList.hidden = false;
  }

  return {
    /** Rebuild the category entries after a snapshot (categories rarely change). */
    build(categories, seats, withRows, plan = null) {
      const byCode = new Map(categories.map((c) => [c.code, []]));
      for (const seat of seats) byCode.get(seat.category)?.push(seat);
      items = new Map();
      const rows = categories.map((category) => {
        const li = el('li');
        li.dataset.category = category.code;
        const count = span('category-count', '');
        const where = withRows ? rowsText(byCode.get(category.code)) : '';
        if (category.color) {
          // Drawn like its free seats: the map's rules colour it (palette.js).
          const attrs = { 'data-status': 'available', 'data-category': category.code };
          li.append(seatSwatch([{ attrs }]));
        }
        li.append(span('category-name', category.name), ' ', span('category-price', priceText(category)));
        if (where) li.append(' ', span('category-rows', where));
        li.append(' ', count);
        items.set(category.code, count);
        return li;
      });
      list.replaceChildren(...rows);
      buildFlags(seats);
      explain(plan);
      // Free seats are drawn in their category's colour: so is "Available".
      const coloured = categories.filter((c) => c.color).slice(0, AVAILABLE_SWATCH_SEATS);
      if (availableSwatch && coloured.length) {
        const attrs = (c) => ({ 'data-status': 'available', 'data-category': c.code });
        const swatch = seatSwatch(coloured.map((c) => ({ attrs: attrs(c) })));
        availableSwatch.replaceWith(swatch);
        availableSwatch = swatch;
      }
    },

    /** Write the live numbers; `counts` is per status, `byCategory` maps code -> per status. */
    show(counts, byCategory) {
      for (const output of statusCounts) {
        const count = counts[output.dataset.legendCount] ?? 0;
        output.textContent = String(count);
        const row = output.closest('li');
        if (row?.hasAttribute('data-optional')) row.hidden = count === 0;
      }
      for (const [code, output] of items) {
        const tally = byCategory.get(code);
        const free = tally?.available ?? 0;
        const total = tally ? Object.values(tally).reduce((a, b) => a + b, 0) : 0;
        const text = ngettext('%(free)s of %(total)s available', '%(free)s of %(total)s available', free);
        output.textContent = interpolate(text, { free, total }, true);
        output.closest('li').dataset.available = String(free);
      }
    },
  };
}
