// Part names (`part` attributes) on the seat map's markup, so a page that embeds the map in
// a shadow root can style its elements with `::part()` (docs/themes.md lists them). The
// templates stay as they are: the names are set from here, once the markup is there.
// Pure apart from the elements it is given: Node tests it with a small fake.

/** Selector -> the part names every element it matches gets (added to any it has). */
export const PARTS = Object.freeze({
  '.seat-map': 'map',
  '#legend': 'legend',
  '#category-legend': 'category-legend',
  '.map-tools': 'zoom-tools',
  '.map-tool': 'zoom-button',
  '.zone-button': 'zone-button',
  '.side-panel': 'panel',
  '.button': 'button',
  '.button.primary': 'button-primary',
  '#countdown': 'countdown',
  '#my-seats': 'my-seats',
  '.message': 'message',
  '.standing-area': 'standing-area',
});

// A seat's parts by status: one attribute, set by render.js when the status changes.
const SEAT_PARTS = Object.freeze({
  available: 'seat seat-available',
  held: 'seat seat-held',
  'held-by-me': 'seat seat-mine',
  booked: 'seat seat-booked',
  blocked: 'seat seat-blocked',
});

/** The `part` attribute of a seat in `status` ("seat" alone for a status not listed). */
export function seatPart(status) {
  return SEAT_PARTS[status] ?? 'seat';
}

/**
 * Give every element under `root` (a Document or a ShadowRoot) the part names PARTS lists
 * for it. Names it already has are kept and none is added twice, so running it again after
 * the map is redrawn (new standing areas, new buttons) changes only what is new.
 */
export function applyParts(root) {
  for (const [selector, names] of Object.entries(PARTS)) {
    for (const element of root.querySelectorAll(selector)) {
      const had = (element.getAttribute('part') ?? '').split(/\s+/).filter(Boolean);
      const wanted = names.split(' ').filter((name) => !had.includes(name));
      if (wanted.length) element.setAttribute('part', [...had, ...wanted].join(' '));
    }
  }
}
