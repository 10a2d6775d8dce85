"""docs/asyncapi.yaml as validators: one JSON Schema per frame `type`, per direction.

Which frames the server sends and which it accepts comes from the document's
own operations (`send`, and the replies of `receive`, versus `receive`), so a
message that no operation uses checks nothing and is noticed by the tests.
Schemas are validated as Draft 07, the base of AsyncAPI 3.0's default schema
format; `$ref`s resolve inside the one document.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry
from referencing.jsonschema import DRAFT7

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml"
# The document's URI in the registry: every `#/...` inside it resolves here.
URI = "urn:seats:asyncapi"


@cache
def document() -> dict[str, Any]:
    """The parsed docs/asyncapi.yaml (shared: do not modify)."""
    with DOCUMENT.open(encoding="utf-8") as file:
        return yaml.safe_load(file)


def resolve(pointer: str) -> Any:
    """The node at a local `#/a/b` pointer, following `$ref`s on the way."""
    return _follow(_at(pointer))


def _at(pointer: str) -> Any:
    """The node at `pointer` itself, even when it is a `$ref`."""
    assert pointer.startswith("#/"), f"not a local reference: {pointer}"
    node: Any = document()
    for part in pointer[2:].split("/"):
        node = _follow(node)[part.replace("~1", "/").replace("~0", "~")]
    return node


def _follow(node: Any) -> Any:
    for _ in range(20):
        if not (isinstance(node, dict) and "$ref" in node):
            return node
        node = _at(node["$ref"])
    raise AssertionError(f"$ref chain too long (a cycle?) at {node}")


def _target(pointer: str) -> str:
    """Where a chain of `$ref`s starting at `pointer` ends, as a pointer."""
    node = _at(pointer)
    while isinstance(node, dict) and "$ref" in node:
        pointer = node["$ref"]
        node = _at(pointer)
    return pointer


def message_pointers(direction: str) -> Iterator[str]:
    """Pointers to the messages one side sends: "server" or "client".

    The server sends what its `send` operations name and the replies of its
    `receive` operations; a client sends what the `receive` operations name.
    """
    for operation in document()["operations"].values():
        sends = operation["action"] == "send"
        if direction == "server":
            refs = operation["messages"] if sends else _replies(operation)
        else:
            refs = [] if sends else operation["messages"]
        for ref in refs:
            yield _target(ref["$ref"])


def _replies(operation: dict[str, Any]) -> list[dict[str, str]]:
    return operation.get("reply", {}).get("messages", [])


@cache
def frame_types(direction: str) -> dict[str, str]:
    """`type` -> pointer to its message, for "server" or "client" frames.

    One schema per type and direction: two messages claiming the same type
    would make the check ambiguous, so that fails here.
    """
    assert direction in ("server", "client"), direction
    types: dict[str, str] = {}
    for pointer in sorted(set(message_pointers(direction))):
        payload = resolve(f"{pointer}/payload")
        type_schema = payload.get("properties", {}).get("type", {})
        assert "const" in type_schema, f"{pointer}: payload has no const `type`"
        kind = type_schema["const"]
        assert types.get(kind, pointer) == pointer, (
            f"{direction} frame type {kind!r} has two messages: "
            f"{types[kind]} and {pointer}"
        )
        types[kind] = pointer
    return types


@cache
def _registry() -> Registry:
    return Registry().with_resource(URI, DRAFT7.create_resource(document()))


@cache
def validator(direction: str, kind: str) -> Draft7Validator:
    """The validator for one frame type; unknown types fail with the known ones."""
    types = frame_types(direction)
    assert kind in types, (
        f"{direction} frame type {kind!r} is not in docs/asyncapi.yaml "
        f"(known: {', '.join(sorted(types))})"
    )
    schema = {"$ref": f"{URI}{types[kind]}/payload"}
    return Draft7Validator(schema, registry=_registry())


def _check(direction: str, frame: object) -> None:
    assert isinstance(frame, dict), f"a {direction} frame must be an object: {frame!r}"
    kind = frame.get("type")
    assert isinstance(kind, str), f"{direction} frame without a string type: {frame!r}"
    errors = sorted(
        validator(direction, kind).iter_errors(frame), key=lambda e: e.json_path
    )
    if errors:
        raise AssertionError(_report(direction, kind, errors, frame))


def _report(
    direction: str, kind: str, errors: list[ValidationError], frame: dict
) -> str:
    lines = [f"{direction} frame {kind!r} does not match docs/asyncapi.yaml:"]
    for error in errors[:10]:
        # anyOf / if-then failures: name the deepest cause, not the whole frame.
        cause = best_match(error.context) if error.context else error
        lines.append(f"  at {cause.json_path}: {_short(cause.message)}")
    lines.append(f"  frame: {_short(json.dumps(frame, ensure_ascii=False), 500)}")
    return "\n".join(lines)


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else f"{text[:limit]} ..."


def check_document(name: str, document: object) -> None:
    """AssertionError unless `document` matches the schema `name` (an HTTP
    document the AsyncAPI file describes beside the frames)."""
    validator = Draft7Validator(
        {"$ref": f"{URI}#/components/schemas/{name}"}, registry=_registry()
    )
    errors = sorted(validator.iter_errors(document), key=lambda e: e.json_path)
    if errors:
        raise AssertionError(_report("HTTP", name, errors, document))


def check_server_frame(frame: object) -> None:
    """AssertionError, naming the type and the failing path, unless the frame
    is one the document says the server sends."""
    _check("server", frame)


def check_client_frame(frame: object) -> None:
    """AssertionError unless the frame is a request the document says the
    server accepts."""
    _check("client", frame)


def server_frame(text: str | bytes) -> dict:
    """A received text frame, decoded and checked against the document."""
    assert isinstance(text, str), f"the server sent a non-text frame: {text!r}"
    frame = json.loads(text)
    check_server_frame(frame)
    return frame
