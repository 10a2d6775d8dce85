"""docs/webhooks.schema.json against the code and the docs: every type of
seats/outbox/types.py, every example body in docs/webhooks.md, and bodies
that must not pass."""

from __future__ import annotations

import copy
import json
import re

import pytest
from jsonschema import ValidationError

from seats.outbox import types
from tests.webhooks.receiver import SCHEMA, SCHEMA_PATH, VALIDATOR

DOCS = SCHEMA_PATH.with_name("webhooks.md").read_text()


def documented_bodies() -> list[dict]:
    blocks = re.findall(r"```json\n(.*?)```", DOCS, re.S)
    return [json.loads(block) for block in blocks]


def test_the_schema_names_exactly_the_types_of_the_code():
    assert SCHEMA["properties"]["type"]["enum"] == list(types.ALL_TYPES)
    conditional = [
        rule["if"]["properties"]["type"]["const"] for rule in SCHEMA["allOf"]
    ]
    assert conditional == list(types.ALL_TYPES)


def test_every_documented_example_is_valid_and_every_type_has_one():
    bodies = documented_bodies()
    for body in bodies:
        VALIDATOR.validate(body)
    assert sorted(body["type"] for body in bodies) == sorted(types.ALL_TYPES)


def example(event_type: str) -> dict:
    return next(b for b in documented_bodies() if b["type"] == event_type)


@pytest.mark.parametrize(
    "event_type, spoil",
    [
        ("seats.held", lambda b: b.update(type="seats.teleported")),
        ("seats.held", lambda b: b["data"].pop("hold_token")),
        ("seats.held", lambda b: b["data"]["seats"][0].update(status="available")),
        ("seats.held", lambda b: b["data"].update(seats=[])),
        ("seats.expired", lambda b: b["data"]["seats"][0].update(status="held")),
        ("seats.booked", lambda b: b.update(timestamp="2026-05-01 18:04:20")),
        ("booking.created", lambda b: b["data"]["booking"].update(status="gone")),
        ("booking.created", lambda b: b["data"].update(extra=1)),
        ("booking.cancelled", lambda b: b["data"]["booking"].update(cancelled_at=None)),
        # A booking body under a seats type, and the other way round.
        ("booking.created", lambda b: b.update(type="seats.booked")),
        ("seats.booked", lambda b: b.update(type="booking.created")),
    ],
)
def test_spoilt_bodies_do_not_pass(event_type, spoil):
    body = copy.deepcopy(example(event_type))
    spoil(body)
    with pytest.raises(ValidationError):
        VALIDATOR.validate(body)
