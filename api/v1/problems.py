"""Errors as RFC 9457 problem details, with the WebSocket protocol's codes.

Every refusal is `application/problem+json`: `type` (a URN naming the
code), `title`, `status`, `detail` (for people), `code` (the stable code
clients branch on, the same as in docs/protocol.md) and `seat_ids` (the
seats concerned, possibly empty).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from seats.errors import RateLimited, RequestError
from wire import frames, rest

CONTENT_TYPE = "application/problem+json"

# HTTP status per error code. Refusals of the domain are 409 (the seats'
# state says no) or 422 (the request can never succeed as sent).
STATUS_OF: Mapping[str, int] = {
    "seats_unavailable": 409,
    "not_holder": 409,
    "hold_expired": 409,
    "extend_limit": 409,
    "no_adjacent_seats": 409,
    "single_seat_left": 409,
    "companion_seat": 409,
    "no_accessible_seats": 409,
    "not_enough_places": 409,
    "whole_table": 409,
    "checkout_required": 409,
    "no_hold": 409,
    "embed_cannot_book": 403,
    "too_many_seats": 422,
    "unknown_seat": 422,
    "bad_request": 422,
    "hold_not_found": 404,
    "not_found": 404,
    "booking_not_found": 404,
    "busy": 503,
    "timeout": 504,
    "rate_limited": 429,
    "server_error": 500,
}

# Codes of the API itself (no seat protocol counterpart).
UNAUTHORIZED = "unauthorized"
FORBIDDEN = "forbidden"
# A publishable key (pk_, embed/) on a route it may not use: it only reads.
PUBLISHABLE_KEY = "publishable_key"
NOT_FOUND = "not_found"
METHOD_NOT_ALLOWED = "method_not_allowed"
IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
IDEMPOTENCY_KEY_IN_USE = "idempotency_key_in_use"


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    seat_ids: Iterable[int] = (),
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    document = rest.problem(status, code, detail, seat_ids=seat_ids, **extra)
    response = HttpResponse(
        frames.dumps(document), status=status, content_type=CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def from_request_error(error: RequestError) -> HttpResponse:
    status = STATUS_OF.get(error.code, 409)
    headers: dict[str, str] = {}
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(max(1, math.ceil(error.retry_after)))
    elif status == 503:
        headers["Retry-After"] = "1"
    return problem(
        status, error.code, error.message, seat_ids=error.seat_ids, headers=headers
    )


# Exempt: it changes nothing, and a POST to a mistyped route must learn
# that the route is unknown (a 404 problem), not meet Django's HTML CSRF page.
@csrf_exempt
def unknown_route(request: HttpRequest) -> HttpResponse:
    return problem(404, NOT_FOUND, f"There is no API route {request.path}.")


def method_not_allowed(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Django's bare 405 for a wrong method, as a problem like every refusal."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith(
            CONTENT_TYPE
        ):
            return response
        return problem(
            405,
            METHOD_NOT_ALLOWED,
            f"{request.method} is not allowed on {request.path}.",
            headers={"Allow": response.get("Allow", "")},
        )

    return wrapped
