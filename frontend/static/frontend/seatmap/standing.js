// Standing areas: drawn from the plan's `standing` list with how many places are left, counted
// from the store's places (seats with `area`) so every seats.changed moves the number at once.
// Picking one opens the panel's quantity form; the server chooses which places (docs/protocol.md,
// `hold` with `places`). `standingCounts` and `standingLabel` are pure: Node tests them.

import { svgEl } from '../common/dom.js';
import { formatPrice, gettext, interpolate, ngettext } from '../common/i18n.js';
import { areaBounds, areaParts, areaTransform } from './areas.js';

const FILL = '#dbeafe';
const SOLD_OUT_FILL = '#e5e7eb';
const MIN_TEXT = 8; // plan units
const MAX_TEXT = 40;

/**
 * Per area key: { capacity, available, mine } from the places' statuses at one moment.
 * `statusOf(place)` is the store's uiStatus at that moment.
 */
export function standingCounts(places, statusOf) {
  const counts = new Map();
  for (const place of places) {
    const count = counts.get(place.area) ?? { capacity: 0, available: 0, mine: 0 };
    const status = statusOf(place);
    count.capacity += 1;
    if (status === 'available') count.available += 1;
    else if (status === 'held-by-me') count.mine += 1;
    counts.set(place.area, count);
  }
  return counts;
}

/** What the map says about an area: its name and how many places are left. */
export function standingLabel(area, count, price = '') {
  const left = count?.available ?? 0;
  const capacity = count?.capacity ?? area.capacity ?? 0;
  const status =
    left === 0
      ? gettext('sold out')
      : interpolate(
          ngettext('%(left)s of %(capacity)s places left', '%(left)s of %(capacity)s places left', left),
          { left, capacity },
          true,
        );
  const parts = [interpolate(gettext('%(area)s, standing: %(status)s'), { area: area.name, status }, true)];
  if (count?.mine) {
    const mine = ngettext('%(count)s held by you', '%(count)s held by you', count.mine);
    parts.push(interpolate(mine, { count: count.mine }, true));
  }
  if (price) parts.push(interpolate(gettext('%(price)s each'), { price }, true));
  return {
    caption:
      left === 0
        ? gettext('Sold out')
        : interpolate(ngettext('%(left)s left', '%(left)s left', left), { left }, true),
    name: parts.join(', '),
  };
}

/** The form's line about an area: how many places are left, at what price. */
export function leftText(count, price = '') {
  const available = count?.available ?? 0;
  if (available === 0) return gettext('Sold out.');
  const values = { left: available, capacity: count.capacity, price };
  const text = price
    ? ngettext(
        '%(left)s of %(capacity)s places left, %(price)s each.',
        '%(left)s of %(capacity)s places left, %(price)s each.',
        available,
      )
    : ngettext('%(left)s of %(capacity)s places left.', '%(left)s of %(capacity)s places left.', available);
  return interpolate(text, values, true);
}

function priceOf(store, area) {
  const category = store.category(area.category);
  return category ? formatPrice(category.price, category.currency) : '';
}

function textSize(box) {
  const size = Math.min(box.width, box.height) / 6;
  return Math.max(MIN_TEXT, Math.min(MAX_TEXT, size));
}

/**
 * layer: the SVG group areas are drawn in; form: the panel's quantity form (null on pages that
 * do not sell, such as the box office); onHold(area key, quantity) sends the request and
 * resolves with true once they are held; now() is the server's time.
 */
export function createStanding({
  layer,
  store,
  form,
  onHold,
  maxPerHolder = Infinity,
  now = () => Date.now(),
}) {
  let drawn = new Map(); // area key -> { g, caption, area }
  let open = null; // the area key the form is for

  const quantity = form?.querySelector('input[name="quantity"]');
  const title = form?.querySelector('.standing-title');
  const left = form?.querySelector('.standing-left');

  function counts(now) {
    return standingCounts(store.places(), (place) => store.uiStatus(place, now));
  }

  function areas() {
    return store.plan()?.standing ?? [];
  }

  function draw(area) {
    const outline = { ...area.outline, text: '' };
    const parts = areaParts({ ...outline, color: outline.color || FILL });
    const g = svgEl('g', {
      class: 'standing-area',
      role: 'button',
      tabindex: '0',
      'data-area': area.key,
    });
    const transform = areaTransform(outline);
    if (transform) g.setAttribute('transform', transform);
    for (const part of parts) g.append(svgEl(part.tag, part.attrs));
    const box = areaBounds(outline) ?? { x: outline.x, y: outline.y, width: 0, height: 0 };
    const size = textSize(box);
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    g.append(
      svgEl('text', { class: 'standing-name', x: cx, y: cy - size * 0.2, 'font-size': size }, area.name),
    );
    const caption = svgEl('text', {
      class: 'standing-count',
      x: cx,
      y: cy + size * 0.9,
      'font-size': size * 0.8,
    });
    g.append(caption);
    return { g, caption, area };
  }

  function paint(entry, count) {
    const label = standingLabel(entry.area, count, priceOf(store, entry.area));
    entry.caption.textContent = label.caption;
    entry.g.setAttribute('aria-label', label.name);
    const soldOut = (count?.available ?? 0) === 0;
    entry.g.classList.toggle('is-sold-out', soldOut);
    entry.g.firstChild?.setAttribute(
      'fill',
      soldOut ? SOLD_OUT_FILL : entry.area.outline.color || FILL,
    );
    entry.g.classList.toggle('has-mine', Boolean(count?.mine));
  }

  function showForm(key, now) {
    const entry = drawn.get(key);
    if (!form || !entry) return;
    const count = counts(now).get(key);
    const available = count?.available ?? 0;
    open = key;
    title.textContent = interpolate(gettext('%(area)s (standing)'), { area: entry.area.name }, true);
    left.textContent = leftText(count, priceOf(store, entry.area));
    const most = Math.max(1, Math.min(available, maxPerHolder));
    quantity.max = String(most);
    if (Number(quantity.value) > most || !(Number(quantity.value) >= 1)) quantity.value = '1';
    form.querySelector('button[type="submit"]').disabled = available === 0;
    form.hidden = false;
    quantity.focus();
  }

  function hideForm() {
    if (form) form.hidden = true;
    open = null;
  }

  function areaKeyOf(target) {
    const g = target instanceof Element ? target.closest('.standing-area[data-area]') : null;
    return g ? g.getAttribute('data-area') : null;
  }

  layer.addEventListener('click', (event) => {
    const key = areaKeyOf(event.target);
    if (key !== null) showForm(key, now());
  });
  layer.addEventListener('keydown', (event) => {
    const key = areaKeyOf(event.target);
    if (key === null || (event.key !== 'Enter' && event.key !== ' ')) return;
    event.preventDefault();
    if (!event.repeat) showForm(key, now());
  });
  form?.addEventListener('submit', (event) => {
    event.preventDefault();
    if (open === null || !quantity.checkValidity()) {
      quantity.reportValidity();
      return;
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    const key = open;
    Promise.resolve(onHold(key, Number(quantity.value))).then((ok) => {
      button.disabled = false;
      if (ok) hideForm();
    });
  });
  form?.querySelector('[data-standing="cancel"]')?.addEventListener('click', hideForm);

  return {
    /** Draw every standing area afresh (after a snapshot), in world units of `unit`. */
    build(unit, now) {
      drawn = new Map();
      const frag = document.createDocumentFragment();
      for (const area of areas()) {
        if (!area.outline) continue;
        const entry = draw(area);
        drawn.set(area.key, entry);
        frag.append(entry.g);
      }
      layer.replaceChildren(frag);
      layer.setAttribute('transform', `scale(${unit})`);
      if (open !== null && !drawn.has(open)) hideForm();
      this.update(now);
    },

    /** Places per status for each price category code, as the map's `categoryCounts`. */
    categoryCounts(now) {
      const byCategory = new Map();
      for (const place of store.places()) {
        const tally = byCategory.get(place.category) ?? {};
        const status = store.uiStatus(place, now);
        tally[status] = (tally[status] ?? 0) + 1;
        byCategory.set(place.category, tally);
      }
      return byCategory;
    },

    /** Recount and repaint every area (a change, a lapse, a snapshot). */
    update(now) {
      const all = counts(now);
      for (const [key, entry] of drawn) paint(entry, all.get(key));
      if (open !== null && form && !form.hidden) {
        // Not a live region: on a busy sale it would talk over the form. Read with the
        // form when it opens; the reply to the request is announced by the panel.
        left.textContent = leftText(all.get(open), priceOf(store, drawn.get(open).area));
      }
    },
  };
}
