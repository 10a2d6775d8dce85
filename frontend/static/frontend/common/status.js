// Connection indicator: mirrors the socket state in #connection-status.

import { gettext } from './i18n.js';

function stateText(state) {
  switch (state) {
    case 'connecting':
      return gettext('Connecting…');
    case 'open':
      return gettext('Live');
    case 'reconnecting':
      return gettext('Reconnecting…');
    case 'closed':
      return gettext('Disconnected');
    default:
      return state;
  }
}

export function showConnection(element, state) {
  if (!element) return;
  element.dataset.state = state;
  element.textContent = stateText(state);
}
