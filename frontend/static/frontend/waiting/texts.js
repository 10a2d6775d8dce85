// The waiting page's wording.

import { gettext, interpolate, language, ngettext } from '../common/i18n.js';

/** "about 3 minutes", "under a minute": the estimate in words. */
export function waitText(seconds, paused) {
  if (paused) return gettext('paused for now');
  if (seconds === null || seconds === undefined) return gettext('unknown');
  if (seconds < 60) return gettext('under a minute');
  const minutes = Math.round(seconds / 60);
  if (minutes === 1) return gettext('about a minute');
  return interpolate(ngettext('about %(count)s minute', 'about %(count)s minutes', minutes), { count: minutes }, true);
}

/** A count as the page's language writes it: "4,312" in English, "4.312" in German. */
export function countText(count) {
  return count.toLocaleString(language());
}

/** A place or a count of people ahead: "4,312", or "about 4,310" when worked out between marks. */
export function placeText(count, exact) {
  const text = countText(count);
  return exact ? text : interpolate(gettext('about %(count)s'), { count: text }, true);
}
