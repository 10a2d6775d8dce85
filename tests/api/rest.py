"""Calling /api/v1/ as a shop's backend does, every answer checked against
the OpenAPI document the API serves about itself.

`Api` takes route templates as the document names them (`/holds/{token}`),
so each answer is validated against that route's documented response for
its status: a status the document does not list, a body that does not match
its schema, or a problem that is not `application/problem+json` fails the
test that received it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.http import HttpResponse
from django.test import Client
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from api.keys import create_key
from api.models import ApiKey

PREFIX = "/api/v1"
OPENAPI_URL = f"{PREFIX}/openapi.json"
PROBLEM_TYPE = "application/problem+json"
JSON_TYPE = "application/json"
# The document's URI in the registry: its `#/components/...` refs resolve here.
URI = "urn:seats:openapi"

# Sent when a test passes no body: any JSON would do for routes that take none.
NO_BODY = object()


@cache
def openapi() -> dict[str, Any]:
    """The document as served (shared between tests: do not modify)."""
    response = Client().get(OPENAPI_URL)
    assert response.status_code == 200, response.content[:500]
    return json.loads(response.content)


def _pointer(*parts: str) -> str:
    escaped = (p.replace("~", "~0").replace("/", "~1") for p in parts)
    return "#/" + "/".join(escaped)


def validate(document: dict[str, Any], pointer: str, instance: Any) -> None:
    """AssertionError naming the failing path unless `instance` matches the
    schema at `pointer` (a `#/...` pointer into `document`)."""
    registry = Registry().with_resource(URI, DRAFT202012.create_resource(document))
    validator = Draft202012Validator({"$ref": URI + pointer}, registry=registry)
    errors = sorted(validator.iter_errors(instance), key=lambda e: e.json_path)
    if errors:
        cause = best_match(errors)
        raise AssertionError(
            f"does not match {pointer}: at {cause.json_path}: {cause.message}\n"
            f"  body: {json.dumps(instance)[:800]}"
        )


def check_answer(
    openapi: dict[str, Any],
    method: str,
    path_template: str,
    status: int,
    body: Any,
    content_type: str = JSON_TYPE,
) -> None:
    """The answer is one the document lists for this route, status and type,
    and `body` matches its schema. Problems must be problem+json `Problem`s."""
    path = PREFIX + path_template
    assert path in openapi["paths"], f"{path} is not in the OpenAPI document"
    operation = openapi["paths"][path].get(method.lower())
    assert operation is not None, f"{method} {path} is not in the OpenAPI document"
    responses = operation["responses"]
    assert str(status) in responses, (
        f"{method} {path} answered {status}, which the document does not list "
        f"(it lists {sorted(responses)})"
    )
    content = responses[str(status)].get("content", {})
    if status >= 400:
        assert content_type == PROBLEM_TYPE, (
            f"{method} {path} answered {status} as {content_type!r}, not {PROBLEM_TYPE}"
        )
        validate(openapi, "#/components/schemas/Problem", body)
    assert content_type in content, (
        f"{method} {path} {status}: the document lists {sorted(content)}, "
        f"the answer is {content_type!r}"
    )
    schema_at = _pointer(
        "paths",
        path,
        method.lower(),
        "responses",
        str(status),
        "content",
        content_type,
        "schema",
    )
    validate(openapi, schema_at, body)


def media_type(response: HttpResponse) -> str:
    return response.get("Content-Type", "").split(";")[0].strip()


class Api:
    """A shop's backend: one API key, requests by route template."""

    def __init__(self, key: str | None = None, client: Client | None = None):
        self.key = key
        self.client = client or Client()

    def headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {}
        if self.key is not None:
            headers["Authorization"] = f"Bearer {self.key}"
        headers.update(extra or {})
        return headers

    def call(
        self,
        method: str,
        template: str,
        body: Any = NO_BODY,
        *,
        raw: str | bytes | None = None,
        headers: dict[str, str] | None = None,
        check: bool = True,
        **params: Any,
    ) -> HttpResponse:
        """Send; check the answer against the document unless `check` is off."""
        path = PREFIX + template.format(**params)
        if raw is not None:
            data: str | bytes = raw
        elif body is NO_BODY:
            data = ""
        else:
            data = json.dumps(body)
        response = self.client.generic(
            method,
            path,
            data,
            content_type=JSON_TYPE,
            headers=self.headers(headers),
        )
        if check:
            check_answer(
                openapi(),
                method,
                template,
                response.status_code,
                json.loads(response.content),
                media_type(response),
            )
        return response

    def get(self, template: str, **kwargs: Any) -> HttpResponse:
        return self.call("GET", template, **kwargs)

    def post(self, template: str, body: Any = NO_BODY, **kwargs: Any) -> HttpResponse:
        return self.call("POST", template, body, **kwargs)

    def delete(self, template: str, **kwargs: Any) -> HttpResponse:
        return self.call("DELETE", template, **kwargs)

    # The routes most tests go through.

    def hold(self, event_id: int, seat_ids: list[int], **kwargs: Any) -> HttpResponse:
        return self.post(
            "/events/{event_id}/holds",
            {"seat_ids": seat_ids},
            event_id=event_id,
            **kwargs,
        )

    def hold_token(self, event_id: int, seat_ids: list[int]) -> str:
        response = self.hold(event_id, seat_ids)
        assert response.status_code == 201, response.content
        return response.json()["token"]

    def book(self, token: str, **fields: Any) -> HttpResponse:
        return self.post("/bookings", {"hold_token": token, **fields})


def problem(response: HttpResponse, status: int, code: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status and code."""
    assert response.status_code == status, (response.status_code, response.content)
    assert media_type(response) == PROBLEM_TYPE, response.get("Content-Type")
    document = json.loads(response.content)
    assert document["code"] == code, document
    assert document["status"] == status
    assert document["type"] == f"urn:seats:problem:{code}"
    assert document["detail"]
    return document


def new_key(scope: str, name: str = "shop") -> tuple[ApiKey, str]:
    return create_key(name, scope)


@dataclass(frozen=True)
class Route:
    """One route of the API, the scope it needs and a body that would work."""

    method: str
    template: str
    scope: str
    # The body a successful call sends, from the test's `World`; None: none.
    body: Callable[[World], Any] | None = None
    # What a sell key gets for that body.
    success: int = 200

    def __str__(self) -> str:
        return f"{self.method} {self.template}"

    def call(self, api: Api, world: World, **kwargs: Any) -> HttpResponse:
        body = NO_BODY if self.body is None else self.body(world)
        return api.call(
            self.method,
            self.template,
            body,
            event_id=world.event_id,
            token=world.token,
            reference=world.reference,
            **kwargs,
        )


@dataclass(frozen=True)
class World:
    """What a route needs to succeed: an event, a running hold and its token,
    a confirmed booking, and seats nobody has."""

    event_id: int
    token: str
    held: list[int]
    reference: str
    free: list[int]


ROUTES = [
    Route("GET", "/events", "read"),
    Route("GET", "/events/{event_id}", "read"),
    Route("GET", "/events/{event_id}/seats", "read"),
    Route("GET", "/holds/{token}", "read"),
    Route("GET", "/bookings/{reference}", "read"),
    Route(
        "POST",
        "/events/{event_id}/holds",
        "sell",
        lambda w: {"seat_ids": w.free[:1]},
        201,
    ),
    Route("POST", "/holds/{token}/seats", "sell", lambda w: {"seat_ids": w.free[:1]}),
    Route("POST", "/holds/{token}/extend", "sell"),
    Route("POST", "/holds/{token}/release", "sell", lambda w: {"seat_ids": w.held[:1]}),
    Route("DELETE", "/holds/{token}", "sell"),
    Route("POST", "/bookings", "sell", lambda w: {"hold_token": w.token}, 201),
    Route("POST", "/bookings/{reference}/cancel", "sell"),
]
SELLING = [r for r in ROUTES if r.scope == "sell"]
READING = [r for r in ROUTES if r.scope == "read"]
