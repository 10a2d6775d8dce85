// "Have a presale code?": the code goes to the server (the session remembers what it unlocks),
// then the page loads again, so its socket opens with the session's channels. The legend says
// which channels' seats are on sale to this viewer.

import { gettext, interpolate } from '../common/i18n.js';

/** The form's answer in words: the server's message, or what it unlocked. */
export function presaleText(status, doc) {
  if (status === 200 && doc?.channel) {
    const text = gettext('Unlocked: %(channel)s. Loading its seats…');
    return interpolate(text, { channel: doc.channel.name }, true);
  }
  if (doc?.message) return doc.message;
  return gettext('That did not work; please try again.');
}

/** `form`: the code form (absent on pages without an active channel); `legendItem`: the
 *  legend's entry for unlocked channels. */
export function createPresale(form, legendItem, { reload = () => location.reload() } = {}) {
  const result = form?.querySelector('.presale-result');

  form?.addEventListener('submit', async (event) => {
    event.preventDefault();
    const code = form.elements.code.value;
    const token = form.querySelector('input[name="csrfmiddlewaretoken"]')?.value ?? '';
    result.textContent = gettext('Checking…');
    let response;
    let doc = null;
    try {
      response = await fetch(form.action, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': token },
        body: JSON.stringify({ code }),
      });
      doc = await response.json();
    } catch {
      result.textContent = presaleText(0, null);
      return;
    }
    result.textContent = presaleText(response.status, doc);
    if (response.status === 200) reload();
  });

  return {
    /** After each snapshot: the legend names the channels whose seats are on sale to us. */
    show(channels) {
      if (!legendItem) return;
      legendItem.hidden = channels.length === 0;
      const names = channels.map((c) => c.name).join(', ');
      const text = interpolate(gettext('%(channels)s: on sale to you'), { channels: names }, true);
      legendItem.querySelector('.legend-label').textContent = text;
    },
  };
}
