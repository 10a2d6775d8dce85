"""The API object: routes, error handling and the OpenAPI document.

django-ninja generates the OpenAPI 3.1 document from the routes' own
types; `SeatsApi` adds what it cannot know (the Idempotency-Key header,
problem+json errors, the 401/403/429 answers every keyed route can give,
and the webhook bodies), so the document is the whole contract.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from api.v1 import bookings, events, holds, problems
from api.v1.auth import Forbidden
from seats.errors import RequestError
from seats.outbox.types import ALL_TYPES
from seats.timefmt import iso

logger = logging.getLogger(__name__)

WEBHOOK_SCHEMA = Path(settings.BASE_DIR) / "docs" / "webhooks.schema.json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

DESCRIPTION = """\
For a shop's backend: see availability, hold seats for a customer, book
them once the customer paid, cancel. Every change is shown live on every
open seat map and sent to the configured webhooks.

Authenticate with `Authorization: Bearer <API key>` (`manage.py
create_api_key`). A publishable key (`pk_…`, for seat maps embedded in a
shop's page) reads events and seat maps only. Errors are RFC 9457 problem
details whose `code` is the same as in the WebSocket protocol. Every POST
takes an `Idempotency-Key`. See docs/integration.md.
"""


class WireTimes(NinjaJSONEncoder):
    """Times as on every other channel: UTC, milliseconds, a trailing Z."""

    def default(self, o: Any) -> Any:
        return iso(o) if isinstance(o, datetime) else super().default(o)


class Renderer(JSONRenderer):
    encoder_class = WireTimes


class SeatsApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                _complete(method, operation)
        schema["webhooks"] = webhooks_section()
        return schema

    def get_openapi_operation_id(self, operation: Any) -> str:
        # The route's function name: createHold reads better than a module path.
        head, *rest = operation.view_func.__name__.split("_")
        return head + "".join(word.title() for word in rest)


def _complete(method: str, operation: dict[str, Any]) -> None:
    # ninja keys statuses by int; the document (JSON) by string: one of each.
    responses = {str(s): a for s, a in operation.get("responses", {}).items()}
    operation["responses"] = responses
    problem = {"content": {problems.CONTENT_TYPE: {"schema": PROBLEM_REF}}}
    for status, answer in responses.items():
        if int(status) >= 400:
            answer["content"] = problem["content"]
    standard = {
        400: "The body is not JSON.",
        401: "No API key, or a wrong or revoked one.",
        403: (
            "The key lacks the scope this needs (code `forbidden`), or it is "
            "a publishable key, which only reads events (`publishable_key`)."
        ),
        422: "The request is malformed.",
        429: "Too many requests with this key: see Retry-After.",
        503: "Busy: the seats are locked by another request; retry shortly.",
    }
    for code, why in standard.items():
        responses.setdefault(str(code), {"description": why, **problem})
    if method == "post":
        responses.setdefault(
            "409",
            {"description": "Idempotency-Key still in use.", **problem},
        )
        operation.setdefault("parameters", []).append(
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "description": (
                    "Any string up to 255 characters. A retry with the same key "
                    "and body gets the first answer again (24 hours); the same "
                    "key with another body is refused (422)."
                ),
                "schema": {"type": "string", "maxLength": 255},
            }
        )


@cache
def webhooks_section() -> dict[str, Any]:
    """One OpenAPI webhook per event type, its body from docs/webhooks.schema.json."""
    if not WEBHOOK_SCHEMA.exists():
        return {}
    body = json.loads(WEBHOOK_SCHEMA.read_text())
    return {
        event_type: {
            "post": {
                "summary": f"{event_type} (signed per Standard Webhooks)",
                "requestBody": {
                    "content": {"application/json": {"schema": body}},
                },
                "responses": {"200": {"description": "Any 2xx: delivered."}},
            }
        }
        for event_type in ALL_TYPES
    }


api = SeatsApi(
    title="Seats API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs_url="/docs",
    renderer=Renderer(),
)
api.add_router("", events.router)
api.add_router("", holds.router)
api.add_router("", bookings.router)


@api.exception_handler(RequestError)
def request_error(request: HttpRequest, error: RequestError) -> HttpResponse:
    return problems.from_request_error(error)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, error: Exception) -> HttpResponse:
    return problems.problem(
        401,
        problems.UNAUTHORIZED,
        "Send a valid API key: Authorization: Bearer <key>.",
        headers={"WWW-Authenticate": 'Bearer realm="seats"'},
    )


@api.exception_handler(Forbidden)
def forbidden(request: HttpRequest, error: Forbidden) -> HttpResponse:
    return problems.problem(403, error.code, str(error))


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    errors = [
        {
            "where": ".".join(str(part) for part in e.get("loc", ())),
            "message": str(e.get("msg", "")),
        }
        for e in error.errors
    ]
    detail = "; ".join(f"{e['where']}: {e['message']}" for e in errors[:5])
    return problems.problem(
        422, "bad_request", detail or "The request is malformed.", errors=errors
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return problems.problem(404, problems.NOT_FOUND, "There is no such resource.")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    code = "bad_request" if error.status_code < 500 else "server_error"
    return problems.problem(error.status_code, code, str(error))


@api.exception_handler(Exception)
def server_error(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.exception("API request %s %s failed", request.method, request.path)
    return problems.problem(
        500, "server_error", "Something went wrong on our side; nothing changed."
    )
