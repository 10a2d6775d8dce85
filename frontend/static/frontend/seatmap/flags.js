// Accessibility flags of a seat (wheelchair space, companion seat, restricted view) and its note:
// the words a screen reader says and the marks drawn on the seat and in the legend.
// `flagsOf` and `flagWords` are pure (Node tests them); the mark builders need a DOM.

import { svgEl } from '../common/dom.js';
import { gettext, interpolate, pgettext } from '../common/i18n.js';

export const FLAGS = ['wheelchair', 'companion', 'restricted'];

/** The legend's names of the flags, looked up when read. */
export const FLAG_NAMES = {
  get wheelchair() {
    return gettext('Wheelchair space');
  },
  get companion() {
    return gettext('Companion seat');
  },
  get restricted() {
    return gettext('Restricted view');
  },
};

// Inside a seat's name ("Row A, seat 3, wheelchair space"): lower case in English, but
// German writes nouns capitalised, so these are texts of their own, not FLAG_NAMES lowered.
function flagWord(flag) {
  if (flag === 'wheelchair') return gettext('wheelchair space');
  if (flag === 'companion') return gettext('companion seat');
  return gettext('restricted view');
}

/** The flags a seat carries, in FLAGS order. */
export function flagsOf(seat) {
  const flags = [];
  if (seat.wheelchair) flags.push('wheelchair');
  if (seat.companion_of != null) flags.push('companion');
  if (seat.restricted_view) flags.push('restricted');
  return flags;
}

/**
 * What to add to a seat's name: "wheelchair space", "companion seat for wheelchair
 * space B7", "restricted view", then the note. `labelOf(id)` names the wheelchair space.
 */
export function flagWords(seat, labelOf = () => null) {
  const words = [];
  for (const flag of flagsOf(seat)) {
    if (flag === 'companion') {
      const label = labelOf(seat.companion_of);
      words.push(
        label
          ? interpolate(gettext('companion seat for wheelchair space %(seat)s'), { seat: label }, true)
          : flagWord(flag),
      );
    } else {
      words.push(flagWord(flag));
    }
  }
  if (seat.note) words.push(seat.note);
  return words;
}

// Drawn in the seat's own 20 x 20 square, over its fill and under the status mark.
const WHEELCHAIR_PATH =
  'M8.2 6.2V11.4H13.2L15.2 15.6M8.2 8.8H12.2M5.9 9.9A4.6 4.6 0 1 0 12.4 15.8';

/** The SVG mark of one flag, in a 20 x 20 seat square. */
export function flagMark(flag) {
  const g = svgEl('g', { class: `flag-mark flag-${flag}`, 'aria-hidden': 'true' });
  if (flag === 'wheelchair') {
    g.append(svgEl('circle', { cx: 8.2, cy: 3.6, r: 1.7 }), svgEl('path', { d: WHEELCHAIR_PATH }));
  } else if (flag === 'companion') {
    g.append(svgEl('circle', { cx: 16.5, cy: 3.5, r: 4.3 }), svgEl('text', { x: 16.5, y: 5.6 }, pgettext('mark on a companion seat', 'C')));
  } else if (flag === 'restricted') {
    g.append(svgEl('path', { d: 'M0.8 0.8H8.5L0.8 8.5Z' }));
  }
  return g;
}
