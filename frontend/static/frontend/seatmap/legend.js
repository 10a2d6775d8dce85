// Legend: live seat counts per status and, per price category, its price, rows and availability.

import { el, span } from '../common/dom.js';
import { priceText } from '../common/texts.js';

/** "rows A–C" from the first and last row (by position) of a category's seats. */
function rowsText(seats) {
  if (!seats.length) return '';
  const first = seats.reduce((a, b) => (b.y < a.y ? b : a));
  const last = seats.reduce((a, b) => (b.y > a.y ? b : a));
  return first.row === last.row ? `row ${first.row}` : `rows ${first.row}–${last.row}`;
}

export function createLegend(root = document) {
  const statusCounts = [...root.querySelectorAll('[data-legend-count]')];
  const list = root.getElementById('category-legend');
  let items = new Map(); // category code -> the <span> holding its availability

  return {
    /** Rebuild the category entries after a snapshot (categories rarely change). */
    build(categories, seats, withRows) {
      const byCode = new Map(categories.map((c) => [c.code, []]));
      for (const seat of seats) byCode.get(seat.category)?.push(seat);
      items = new Map();
      const rows = categories.map((category) => {
        const li = el('li');
        li.dataset.category = category.code;
        const count = span('category-count', '');
        const where = withRows ? rowsText(byCode.get(category.code)) : '';
        li.append(span('category-name', category.name), ' ', span('category-price', priceText(category)));
        if (where) li.append(' ', span('category-rows', where));
        li.append(' ', count);
        items.set(category.code, count);
        return li;
      });
      list.replaceChildren(...rows);
    },

    /** Write the live numbers; `counts` is per status, `byCategory` maps code -> per status. */
    show(counts, byCategory) {
      for (const output of statusCounts) {
        output.textContent = String(counts[output.dataset.legendCount] ?? 0);
      }
      for (const [code, output] of items) {
        const tally = byCategory.get(code);
        const free = tally?.available ?? 0;
        const total = tally ? Object.values(tally).reduce((a, b) => a + b, 0) : 0;
        output.textContent = `${free} of ${total} available`;
        output.closest('li').dataset.available = String(free);
      }
    },
  };
}
