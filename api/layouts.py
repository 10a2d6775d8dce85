"""GET /api/events/<id>/layout/<digest>.json: the map's drawing, kept by browsers.

Everything about an event's seats that does not change during a sale (their
places, labels, categories and flags, and the plan's shapes), named by a
digest of its content: the answer never changes, so it is served with
`Cache-Control: immutable` for a year, an ETag (the digest) and gzip when
the browser takes it. A digest that is not the event's current layout's is
a 404: the socket's next snapshot names the current one. Each process
renders each layout once. Any origin may read it (`Access-Control-Allow-
Origin: *`): the seat map embedded in a shop's page fetches it from there.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from api.responses import json_response
from seats import layouts
from seats.errors import BadRequest
from seats.models import Event
from wire import frames
from wire.shapes import LayoutRef

YEAR_SECONDS = 365 * 24 * 3600
CORS = "Access-Control-Allow-Origin"
KEPT = 32

# Rendered documents by digest: (the JSON, the same gzipped).
_rendered: OrderedDict[str, tuple[bytes, bytes]] = OrderedDict()
_lock = threading.Lock()


def layout_ref(layout: layouts.Layout) -> LayoutRef:
    """Where `layout`'s document is (the REST event and the admin link to it)."""
    url = reverse("api-event-layout", args=[layout.event_id, layout.digest])
    return frames.layout_ref(layout, url)


@require_safe
def event_layout(request: HttpRequest, event_id: int, digest: str) -> HttpResponse:
    try:
        layout = layouts.layout_at(event_id, layouts.layout_version(event_id))
    except Event.DoesNotExist:
        layout = None
    if layout is None or layout.digest != digest:
        missing = BadRequest("No such layout: the event's snapshot names its own.")
        refused = json_response(frames.error(missing), status=404)
        refused[CORS] = "*"
        return refused
    etag = f'"{digest}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        plain, packed = _render(layout)
        zipped = "gzip" in request.headers.get("Accept-Encoding", "")
        response = HttpResponse(
            packed if zipped else plain, content_type="application/json"
        )
        if zipped:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    # Public, like the snapshots that link it; a shop's page embeds the map.
    response[CORS] = "*"
    response["Cache-Control"] = f"public, max-age={YEAR_SECONDS}, immutable"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def _render(layout: layouts.Layout) -> tuple[bytes, bytes]:
    with _lock:
        found = _rendered.get(layout.digest)
    if found is None:
        plain = frames.dumps(frames.layout_document(layout)).encode()
        found = (plain, gzip.compress(plain, compresslevel=6, mtime=0))
        with _lock:
            _rendered[layout.digest] = found
            while len(_rendered) > KEPT:
                _rendered.popitem(last=False)
    return found
