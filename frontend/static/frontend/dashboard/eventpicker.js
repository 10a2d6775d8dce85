// An event <select> of the dashboard's panels (sales report, waiting room), kept in step
// with the event list the staff socket sends.

import { el } from '../common/dom.js';

/**
 * Fill `select` with `events`, keeping `current` chosen if it is still listed, else the
 * first event; returns the id now chosen (NaN when there is no event).
 */
export function showEvents(select, events, current) {
  const ids = new Set(events.map((e) => Number(e.id)));
  const keep = current !== null && ids.has(current) ? current : Number(events[0]?.id ?? NaN);
  select.replaceChildren(
    ...events.map((e) => {
      const option = el('option', null, e.name);
      option.value = String(e.id);
      return option;
    }),
  );
  if (Number.isFinite(keep)) select.value = String(keep);
  return keep;
}
