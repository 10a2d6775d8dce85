"""The JSON answer of the views outside the REST API (api/views.py, the staff
endpoints, the health checks): one document, encoded by the wire format's
one encoder."""

from __future__ import annotations

from django.http import HttpResponse

from wire import frames


def json_response(document: object, status: int = 200) -> HttpResponse:
    return HttpResponse(
        frames.dumps(document), status=status, content_type="application/json"
    )
