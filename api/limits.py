"""Bodies over the limit are refused on /api/ before anything reads them.

Django raises `RequestDataTooBig` when a view first touches a body longer
than `DATA_UPLOAD_MAX_MEMORY_SIZE`; by then the API's own error handling
has been bypassed or has taken it for a server error (a 500 problem, or
Django's HTML 400 where the idempotency layer read the body). Here the
declared length is checked first and the answer is a 413 in the API's own
format: problem+json on /api/v1/, the protocol's error document on
/api/staff/. Nothing is read, so nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from api.v1.problems import problem

PAYLOAD_TOO_LARGE = "payload_too_large"


class BodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and request.path.startswith("/api/"):
            if _declared_length(request) > limit:
                return _too_large(request, limit)
        return self.get_response(request)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django refuses a malformed length itself


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    message = f"The body is larger than {limit} bytes."
    if request.path.startswith("/api/v1/"):
        return problem(413, PAYLOAD_TOO_LARGE, message)
    document = {
        "type": "error",
        "code": PAYLOAD_TOO_LARGE,
        "message": message,
        "seat_ids": [],
    }
    return JsonResponse(document, status=413)
