// A page's modules that cannot all be fetched (a lost connection, an overloaded server) run
// none of the page's code: it would stay as the server drew it ("Connecting…") for good. This
// classic script runs before them (the module_script tag puts it first) and loads the page
// again after a pause instead, as a visitor would, at most MAX_RELOADS times in a row; then it
// shows the page's #boot-failed notice, whose link reloads by hand (at once on the answer to a
// form, data-reload="off": reloading it would send the form again). A module that loads and
// throws is a bug that reloading would not fix: that is left to the console.
(() => {
  const KEY = 'seats:boot-reloads';
  const MAX_RELOADS = 3;
  const PAUSE_MS = 500;
  let failed = false;

  // Only the entry script's error counts: a module whose preload was lost is fetched again
  // when it is imported, and the entry script fails only if that fails too.
  function isModuleScript(element) {
    return element instanceof HTMLScriptElement && element.type === 'module';
  }

  // Without storage (some private modes) a reload could not be counted: never reload.
  function reloadsSoFar() {
    try {
      return Number(sessionStorage.getItem(KEY)) || 0;
    } catch {
      return MAX_RELOADS;
    }
  }

  function remember(reloads) {
    try {
      if (reloads) sessionStorage.setItem(KEY, String(reloads));
      else sessionStorage.removeItem(KEY);
    } catch {
      // nothing to remember with
    }
  }

  // Resource errors do not bubble: only a capturing listener on the window hears them.
  window.addEventListener(
    'error',
    (event) => {
      if (failed || !isModuleScript(event.target)) return;
      failed = true;
      const notice = document.getElementById('boot-failed');
      // The answer to a form is not reloaded: that would send the form again.
      const reloads = notice?.dataset.reload === 'off' ? MAX_RELOADS : reloadsSoFar();
      if (reloads < MAX_RELOADS) {
        remember(reloads + 1);
        // Longer each time, and spread: the pages of an on-sale that failed together
        // do not all come back in the same instant.
        const pause = PAUSE_MS * (reloads + 1) * (0.5 + Math.random());
        setTimeout(() => location.reload(), pause);
      } else {
        remember(0);
        if (notice) notice.hidden = false;
      }
    },
    true,
  );

  window.addEventListener('load', () => {
    if (!failed) remember(0);
  });
})();
