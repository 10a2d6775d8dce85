// Connection indicator: mirrors the socket state in #connection-status.

const TEXT = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

export function showConnection(element, state) {
  if (!element) return;
  element.dataset.state = state;
  element.textContent = TEXT[state] ?? state;
}
