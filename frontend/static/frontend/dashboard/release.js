// "Release expired locks" button: POSTs to the staff endpoint with the CSRF token from the form.

function csrfToken() {
  return document.querySelector('input[name="csrfmiddlewaretoken"]')?.value ?? '';
}

function locksText(count) {
  return `Released ${count} expired ${count === 1 ? 'lock' : 'locks'}.`;
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
