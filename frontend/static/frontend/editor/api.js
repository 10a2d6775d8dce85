// The plan editor's calls to the staff API (docs/staff.md, "The plan editor's endpoints"):
// JSON both ways, the CSRF token in X-CSRFToken, the session's cookie. Every answer comes
// back as { status, body } so the caller decides what a 409 or a 422 means.

export function createApi(base, csrfToken, fetchFn = (...args) => fetch(...args)) {
  async function call(method, path, body) {
    const init = {
      method,
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'X-CSRFToken': csrfToken },
    };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetchFn(`${base}${path}`, init);
    } catch {
      return { status: 0, body: { detail: 'The server cannot be reached.' } };
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = { detail: `The server answered ${response.status}.` };
    }
    return { status: response.status, body: data ?? {} };
  }
  return {
    getDraft: () => call('GET', '/draft'),
    putDraft: (revision, document, force = false) => call('PUT', '/draft', { revision, document, force }),
    publish: (revision) => call('POST', '/publish', { revision }),
  };
}

/**
 * Autosave: `changed()` after every edit saves `delay` ms after the last one, one save at
 * a time; an edit made while a save runs is saved after it. `save()` resolves to 'saved',
 * 'conflict' (stop until `resume()`) or 'failed' (tried again after the next edit or
 * `flush()`). `onState` hears 'saved' | 'saving' | 'unsaved' | 'failed' | 'conflict'.
 */
export function createAutosave({ save, delay = 1500, timers = globalThis, onState = () => {} }) {
  let timer = null;
  let dirty = false;
  let running = null;
  let paused = false;

  function state(name) {
    onState(name);
  }

  async function run() {
    timer = null;
    if (running || paused || !dirty) return running;
    dirty = false;
    state('saving');
    running = (async () => {
      const outcome = await save();
      running = null;
      if (outcome === 'conflict') {
        paused = true;
        dirty = true;
        state('conflict');
      } else if (outcome !== 'saved') {
        dirty = true;
        state('failed');
      } else if (dirty) {
        state('unsaved');
        schedule();
      } else {
        state('saved');
      }
      return outcome;
    })();
    return running;
  }

  function schedule() {
    if (timer !== null) timers.clearTimeout(timer);
    timer = timers.setTimeout(run, delay);
  }

  return {
    changed() {
      dirty = true;
      if (!paused) {
        state('unsaved');
        schedule();
      }
    },
    /** Save now if anything is unsaved; resolves when saved (or not). */
    async flush() {
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
      if (running) await running;
      if (dirty && !paused) return run();
      return paused ? 'conflict' : 'saved';
    },
    /** After a conflict: go on saving (`keepEdits`), or drop what was unsaved. */
    resume(keepEdits) {
      paused = false;
      if (keepEdits) {
        dirty = true;
        schedule();
      } else {
        dirty = false;
        state('saved');
      }
    },
    isDirty: () => dirty || running !== null,
  };
}

/** "12 s ago", "3 min ago", "2 h ago" from an ISO time. */
export function agoText(iso, now = Date.now()) {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return 'some time ago';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}
