// "Print" buttons (data-print) of the confirmation and ticket pages: a script file, not an
// inline onclick, so the pages keep working under a Content-Security-Policy without
// 'unsafe-inline'.

for (const button of document.querySelectorAll('[data-print]')) {
  button.addEventListener('click', () => window.print());
}
