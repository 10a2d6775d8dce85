"""docs/openapi.json is the document the API serves, and a valid OpenAPI 3.1."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from api.management.commands.export_openapi import openapi_document, render

DOCS = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_published_document_is_the_served_one(client):
    served = client.get("/api/v1/openapi.json").json()
    assert served == openapi_document()
    assert DOCS.read_text() == render(), (
        "docs/openapi.json is out of date: "
        "python manage.py export_openapi --output docs/openapi.json"
    )


def test_it_is_openapi_3_1_with_every_route_and_webhook():
    document = openapi_document()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/api/v1/events",
        "/api/v1/events/{event_id}",
        "/api/v1/events/{event_id}/seats",
        "/api/v1/events/{event_id}/holds",
        "/api/v1/holds/{token}",
        "/api/v1/holds/{token}/seats",
        "/api/v1/holds/{token}/extend",
        "/api/v1/holds/{token}/release",
        "/api/v1/bookings",
        "/api/v1/bookings/{reference}",
        "/api/v1/bookings/{reference}/cancel",
    }
    assert {"seats.held", "seats.expired", "booking.created"} <= set(
        document["webhooks"]
    )
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_every_post_takes_an_idempotency_key_and_errors_are_problems():
    for path, operations in openapi_document()["paths"].items():
        for method, operation in operations.items():
            parameters = operation.get("parameters", [])
            headers = {p["name"] for p in parameters if p["in"] == "header"}
            assert ("Idempotency-Key" in headers) == (method == "post"), (method, path)
            for status, answer in operation["responses"].items():
                if int(status) >= 400:
                    assert list(answer["content"]) == ["application/problem+json"]


def test_export_openapi_prints_or_writes_the_document(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    printed = StringIO()
    call_command("export_openapi", stdout=printed)
    target = tmp_path / "openapi.json"
    call_command("export_openapi", "--output", str(target), stdout=StringIO())
    assert printed.getvalue() == target.read_text() == render()
    assert json.loads(render())["info"]["title"] == "Seats API"
