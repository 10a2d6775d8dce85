// Section overview: one button per zone that zooms the map to it, and "Whole hall" to go back.
// Shown only when the whole hall fits at a size too small to pick seats (e.g. on a phone).

import { el } from '../common/dom.js';
import { gettext } from '../common/i18n.js';

export const COMFORT_SEAT_PX = 20; // below this pitch on screen, offer the zones

export function createZoneNav(nav, { onZone, onWhole }) {
  let buttons = new Map(); // zone name (or null for the whole hall) -> <button>

  function press(name) {
    for (const [key, button] of buttons) button.setAttribute('aria-pressed', String(key === name));
  }

  function button(text, key, onClick) {
    const b = el('button', 'zone-button', text);
    b.type = 'button';
    b.addEventListener('click', () => {
      onClick();
      press(key);
    });
    buttons.set(key, b);
    return b;
  }

  return {
    /** One button per zone (front first); nothing to offer for a single zone. */
    build(zones) {
      buttons = new Map();
      const items = [button(gettext('Whole hall'), null, onWhole)];
      for (const zone of zones) items.push(button(zone.name, zone.name, () => onZone(zone)));
      nav.replaceChildren(...items);
      press(null);
    },

    /** Show the overview when there are zones and seats are small at the whole-hall view. */
    show(zoneCount, fitSeatPx) {
      nav.hidden = !(zoneCount > 1 && fitSeatPx < COMFORT_SEAT_PX);
    },

    /** The visitor zoomed another way: no zone button stays pressed. */
    clear(whole) {
      press(whole ? null : undefined);
    },
  };
}
