"""GET /metrics: Prometheus's text format (docs/operations.md has the scrape config).

Not behind a login: Prometheus scrapes without one. Keep it off the public
internet at the proxy (deploy/nginx.conf answers 404 for it from outside).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from metrics import exposition


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
