"""The request bodies that time a hold, as docs/openapi.json publishes them.

A shop validating its requests against the published document must accept
what the API takes and refuse what it refuses (the bounds the document can
state: a JSON integer, at least 1; the cap is the installation's setting).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.api.rest import validate

DOCS = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def published() -> dict:
    return json.loads(DOCS.read_text())


def request_schema(path: str) -> str:
    return (
        "#/paths/"
        + path.replace("~", "~0").replace("/", "~1")
        + "/post/requestBody/content/application~1json/schema"
    )


NEW_HOLD = request_schema("/api/v1/events/{event_id}/holds")
EXTEND = request_schema("/api/v1/holds/{token}/extend")


@pytest.mark.parametrize(
    "body",
    [
        {"seat_ids": [1, 2], "expires_in_minutes": 30},
        {"best": {"count": 2}, "expires_in_minutes": 1},
        {"seat_ids": [1], "expires_in_minutes": None},
        {"seat_ids": [1]},
    ],
)
def test_a_new_hold_with_a_length_matches_the_document(body):
    validate(published(), NEW_HOLD, body)


@pytest.mark.parametrize("body", [{"expires_in_minutes": 90}, {}, None])
def test_a_re_timing_body_matches_the_document(body):
    document = published()
    validate(document, EXTEND, body)
    extend = document["paths"]["/api/v1/holds/{token}/extend"]["post"]
    assert extend["requestBody"]["required"] is False  # no body: a plain extension


@pytest.mark.parametrize("minutes", [0, -1, 1.5, "5", True])
@pytest.mark.parametrize("where", [NEW_HOLD, EXTEND])
def test_a_bad_length_does_not_match_the_document(where, minutes):
    body = {"expires_in_minutes": minutes}
    if where == NEW_HOLD:
        body["seat_ids"] = [1]
    with pytest.raises(AssertionError, match="expires_in_minutes"):
        validate(published(), where, body)
