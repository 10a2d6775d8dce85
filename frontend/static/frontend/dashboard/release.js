// "Release expired locks" button: POSTs to the staff endpoint with the CSRF token from the form.

function csrfToken() {
  return document.querySelector('input[name="csrfmiddlewaretoken"]')?.value ?? '';
}

function locksText(count) {
  return `Released ${count} expired ${count === 1 ? 'lock' : 'locks'}.`;
}

/** "Release now" on a running hold: POSTs the holder to the staff endpoint. */
export async function releaseHold(hold, button, output) {
  button.disabled = true;
  try {
    const response = await fetch(`/api/staff/events/${encodeURIComponent(hold.event)}/release`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        'X-CSRFToken': csrfToken(),
        Accept: 'application/json',
      },
      body: JSON.stringify({ holder: hold.holder }),
    });
    const body = await response.json();
    output.textContent = response.ok
      ? `Released ${body.seat_ids.length} seats of ${hold.holder}.`
      : body.message ?? `The server said ${response.status}.`;
  } catch (error) {
    output.textContent = `Could not release the hold (${error.message}).`;
  } finally {
    button.disabled = false;
  }
}

export function setupRelease(button, output, url) {
  button.addEventListener('click', async () => {
    button.disabled = true;
    output.textContent = 'Releasing…';
    try {
      const response = await fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'X-CSRFToken': csrfToken(), Accept: 'application/json' },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = await response.json();
      output.textContent = locksText(Number(body.released) || 0);
    } catch (error) {
      output.textContent = `Could not release expired locks (${error.message}).`;
    } finally {
      button.disabled = false;
    }
  });
}
