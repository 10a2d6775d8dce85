// The demo shop's own script beside the embedded <seat-map> (docs/embed.md): it follows the
// buyer's hold through the element's events and, to pay, takes the hold token from the element
// and opens the shop's checkout, which reads and books the hold with the shop's secret key.

const map = document.querySelector('seat-map');
const summary = document.getElementById('shop-summary');
const notice = document.getElementById('shop-notice');
const pay = document.getElementById('shop-pay');
const eventId = map.getAttribute('event');

function show(text) {
  notice.textContent = text;
  notice.hidden = !text;
}

function goToCheckout({ holdToken }) {
  const query = new URLSearchParams({ hold_token: holdToken, event_id: eventId });
  location.assign(`/checkout?${query}`);
}

map.addEventListener('holdchanged', (event) => {
  const { seats } = event.detail;
  pay.disabled = seats.length === 0;
  summary.textContent = seats.length
    ? `${seats.length} seat(s): ${seats.map((seat) => seat.label).join(', ')}`
    : 'No seats picked yet.';
  summary.dataset.seats = seats.map((seat) => seat.id).join(',');
  show('');
});

map.addEventListener('holdexpired', () => show('Your hold has ended; pick seats again.'));
map.addEventListener('error', (event) => show(event.detail.message));
// The element's own "Continue to checkout" button, and ours: both hand the token over.
map.addEventListener('checkout', (event) => {
  event.preventDefault(); // ours to handle: the element does not go to the checkout URL itself
  goToCheckout(event.detail);
});
pay.addEventListener('click', async () => {
  pay.disabled = true;
  try {
    goToCheckout(await map.holdToken());
  } catch (error) {
    show(`No hold to pay for (${error.message}).`);
    pay.disabled = false;
  }
});
