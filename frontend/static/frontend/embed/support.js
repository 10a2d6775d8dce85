// The embedded map's pure parts: refusal texts, the seat payload of its DOM events, the socket
// origin. No DOM: Node's test runner imports it as it is.

/** What the visitor reads when the map cannot be shown or a request is refused. */
export function refusalText(code, gettext) {
  switch (code) {
    case 'key_invalid':
      return gettext('This seat map cannot be shown: its key is not valid.');
    case 'origin_not_allowed':
      return gettext('This seat map may not be shown on this website.');
    case 'event_not_found':
      return gettext('This event was not found.');
    case 'bad_attributes':
      return gettext('This seat map needs an event and a key.');
    case 'unreachable':
      return gettext('The seat map could not be reached. Please try again later.');
    case 'no_hold':
      return gettext('You have no seats held; pick seats first.');
    default:
      return gettext('This seat map cannot be shown here.');
  }
}

/** A held seat as the element's events and `selection` describe it (docs/embed.md). */
export function seatInfo(seat, store) {
  const category = seat.category != null ? store.category(seat.category) : null;
  return {
    id: seat.id,
    label: seat.label,
    section: seat.section ?? null,
    row: seat.row ?? null,
    area: seat.area ?? null,
    category: category?.name ?? null,
    price: category?.price ?? null,
    currency: category?.currency ?? null,
  };
}

/** The WebSocket origin that goes with an http(s) origin. */
export function wsOrigin(origin) {
  return origin.replace(/^http/, 'ws');
}
