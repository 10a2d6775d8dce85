"""What the pages and servers of a failed browser test saw, for its report.

A browser test that fails on a busy machine says only that an element did not
reach a state in time: the page that stayed on "Connecting…" never says
whether its scripts loaded, whether a request failed, or what its socket was
told. This reads it from the pages while they are still open (Playwright keeps
each page's recent console messages, errors and requests) and from the
servers' logs, so the failure's report carries the cause.
"""

from __future__ import annotations

from collections.abc import Iterable

from devtools.processes import LiveServer

# Lines of each server's log and entries of each page's lists kept in a report.
TAIL = 40

# The page's own view of itself: whether its scripts ran, its sockets
# (window.__sockets, when the test captures them), and what it loaded with
# which status (Playwright sends a request's end only to listeners).
PAGE_STATE = """
() => ({
  readyState: document.readyState,
  connection: document.getElementById('connection-status')?.dataset.state ?? null,
  sockets: (window.__sockets ?? []).map((ws) => [ws.url, ws.readyState]),
  loaded: [
    ...performance.getEntriesByType('navigation'),
    ...performance.getEntriesByType('resource'),
  ].map((entry) => [entry.name, entry.responseStatus]),
})
"""


def pages_report(browser) -> str:
    """Every open page of `browser`: its state, console errors and warnings,
    uncaught errors, and requests that failed, are unfinished or were
    answered with an error."""
    parts = []
    for context in browser.contexts:
        for page in context.pages:
            parts.append("\n".join(_page_lines(page)))
    return "\n\n".join(parts) or "(no open page)"


def _page_lines(page) -> Iterable[str]:
    yield f"page {page.url}"
    # None when the page could not be asked (crashed or hanging): its
    # requests are then not judged against what it loaded.
    statuses: dict[str, int] | None = None
    try:
        state = page.evaluate(PAGE_STATE)
    except Exception as error:  # a page that crashed or hangs still gets reported
        yield f"  state: could not be read ({error.__class__.__name__}: {error})"
    else:
        statuses = dict(state.pop("loaded"))
        yield f"  state: {state}"
    for message in page.console_messages()[-TAIL:]:
        if message.type in ("error", "warning"):
            yield f"  console {message.type}: {message.text}"
    for error in page.page_errors()[-TAIL:]:
        yield f"  uncaught: {error}"
    for url, status in (statuses or {}).items():
        if status >= 400:
            yield f"  answered {status}: {url}"
    requests = page.requests()[-TAIL * 5 :]
    # The page's timing entries are its current document's: a request made
    # before its navigation (a login form's page) cannot be judged by them.
    current = max(
        (i for i, r in enumerate(requests) if _navigates(page, r)),
        default=0,
    )
    for i, request in enumerate(requests):
        if request.failure is not None:
            yield f"  failed: {request.method} {request.url}: {request.failure}"
        elif statuses is not None and i >= current and request.url not in statuses:
            yield f"  unfinished: {request.method} {request.url}"


def _navigates(page, request) -> bool:
    """Whether `request` loaded a document into the page's main frame."""
    try:
        return request.is_navigation_request() and request.frame == page.main_frame
    except Exception:  # a request of a frame that is gone
        return False


def servers_report(servers: Iterable[LiveServer]) -> str:
    """The end of each server's log."""
    parts = []
    for server in servers:
        lines = server.server_log().splitlines()[-TAIL:]
        parts.append(
            f"server {server.url}\n" + "\n".join(f"  {line}" for line in lines)
        )
    return "\n\n".join(parts)
