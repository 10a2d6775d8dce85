"""Every frame a client may send, parsed into a `Request`; anything else is BadRequest.

Nothing here touches the database: a frame is checked for shape before any
service sees it, so bad input can never change state.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.conf import settings

from seats.errors import BadRequest, TooManySeats

MAX_FRAME_CHARS = 16 * 1024
MAX_REQUEST_ID_CHARS = 64
REQUEST_TYPES = frozenset(
    {"hold", "hold_best", "release", "extend", "book", "snapshot", "ping"}
)
# The embedded seat map's socket (realtime.embed) answers these too; on the
# ordinary socket they are unknown types, so a hold token never reaches our
# own pages.
EMBED_REQUEST_TYPES = REQUEST_TYPES | {"handoff"}
MAX_CATEGORY_CHARS = 40
MAX_NAME_CHARS = 200
MAX_EMAIL_CHARS = 254
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
# Ids are signed 64-bit database keys.
MAX_ID = 2**63 - 1
_NEEDS_SEATS = frozenset({"hold", "release", "book"})


@dataclass(frozen=True, slots=True)
class Request:
    type: str
    request_id: str | int | None = None
    seat_ids: tuple[int, ...] = ()
    count: int = 0
    category: str | None = None
    # hold_best: a wheelchair space and its companion seats.
    accessible: bool = False
    # book: the buyer, where the event asks (seats.services.buyers checks).
    customer_name: str = ""
    customer_email: str = ""
    # hold: standing places, (area key, quantity) pairs, one per area.
    places: tuple[tuple[str, int], ...] = ()


class FrameError(Exception):
    """A rejected frame: the error to send back, and the request_id to echo."""

    def __init__(self, error: BadRequest | TooManySeats, request_id: str | int | None):
        self.error = error
        self.request_id = request_id
        super().__init__(error.message)


def parse_request(text: str | None, types: frozenset[str] = REQUEST_TYPES) -> Request:
    """The request in one text frame, of one of `types`; raises FrameError
    with a reason."""
    if text is None:
        raise FrameError(BadRequest("Frames must be JSON text, not binary."), None)
    if len(text) > MAX_FRAME_CHARS:
        raise FrameError(
            BadRequest(f"Frame too large (over {MAX_FRAME_CHARS} characters)."), None
        )
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise FrameError(BadRequest("Frame is not valid JSON."), None) from None
    if not isinstance(data, dict):
        raise FrameError(BadRequest("Frame must be a JSON object."), None)

    request_id = data.get("request_id")
    if request_id is not None and not _valid_request_id(request_id):
        raise FrameError(
            BadRequest(
                f"request_id must be a string or integer of at most "
                f"{MAX_REQUEST_ID_CHARS} characters."
            ),
            None,
        )
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in types:
        raise FrameError(
            BadRequest(f"Unknown type {kind!r}; expected one of {sorted(types)}."),
            request_id,
        )
    if kind == "hold_best":
        try:
            count, category, accessible = _best_args(data)
        except (BadRequest, TooManySeats) as error:
            raise FrameError(error, request_id) from None
        return Request(
            type=kind,
            request_id=request_id,
            count=count,
            category=category,
            accessible=accessible,
        )
    if kind not in _NEEDS_SEATS:
        return Request(type=kind, request_id=request_id)
    try:
        if kind == "hold" and data.get("places") is not None:
            places = _places(data["places"])
            given = data.get("seat_ids")
            seat_ids = () if given is None or given == [] else _seat_ids(given)
            return Request(
                type=kind, request_id=request_id, seat_ids=seat_ids, places=places
            )
        seat_ids = _seat_ids(data.get("seat_ids"))
        if kind == "book":
            name = _optional_text(data, "customer_name", MAX_NAME_CHARS)
            email = _optional_text(data, "customer_email", MAX_EMAIL_CHARS)
            return Request(
                type=kind,
                request_id=request_id,
                seat_ids=seat_ids,
                customer_name=name,
                customer_email=email,
            )
    except (BadRequest, TooManySeats) as error:
        raise FrameError(error, request_id) from None
    return Request(type=kind, request_id=request_id, seat_ids=seat_ids)


def _optional_text(data: dict[str, object], name: str, limit: int) -> str:
    """A string of at most `limit` characters a database can store, or ""."""
    value = data.get(name, "")
    if not isinstance(value, str) or len(value) > limit or not _storable(value):
        raise BadRequest(f"{name} must be a string of at most {limit} characters.")
    return value


def _storable(value: str) -> bool:
    """No NUL (PostgreSQL refuses it) and no lone surrogate (not UTF-8)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _valid_request_id(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) < 10**18
    return isinstance(value, str) and len(value) <= MAX_REQUEST_ID_CHARS


def _best_args(data: dict[str, object]) -> tuple[int, str | None, bool]:
    count = data.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise BadRequest("count must be a positive integer.")
    if count > settings.SEAT_MAX_PER_HOLDER:
        raise TooManySeats(
            f"One person may hold at most {settings.SEAT_MAX_PER_HOLDER} seats "
            "for this event."
        )
    category = data.get("category")
    if category is not None and (
        not isinstance(category, str)
        or not 0 < len(category) <= MAX_CATEGORY_CHARS
        # Codes are slugs; anything else (a NUL, a lone surrogate) names no
        # category and must not reach the database, which cannot store it.
        or not _SLUG.fullmatch(category)
    ):
        raise BadRequest("category must be a price category code.")
    accessible = data.get("accessible", False)
    if not isinstance(accessible, bool):
        raise BadRequest("accessible must be true or false.")
    return count, category, accessible


MAX_AREA_CHARS = 30


def _places(value: object) -> tuple[tuple[str, int], ...]:
    """`[{"area": key, "quantity": n}, ...]`: at least one, each area once."""
    if not isinstance(value, list) or not value:
        raise BadRequest("places must be a non-empty list of {area, quantity}.")
    places: dict[str, int] = {}
    for item in value:
        if not isinstance(item, dict):
            raise BadRequest("Each of places must be an object {area, quantity}.")
        area, quantity = item.get("area"), item.get("quantity")
        if (
            not isinstance(area, str)
            or not 0 < len(area) <= MAX_AREA_CHARS
            or not _storable(area)
        ):
            raise BadRequest("area must be a standing area's key.")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise BadRequest("quantity must be a positive integer.")
        if area in places:
            raise BadRequest("places must not name an area twice.")
        places[area] = quantity
    if sum(places.values()) > settings.SEAT_MAX_PER_HOLDER:
        raise TooManySeats(
            f"One person may hold at most {settings.SEAT_MAX_PER_HOLDER} seats "
            "for this event."
        )
    return tuple(places.items())


def _seat_ids(value: object) -> tuple[int, ...]:
    if not isinstance(value, list) or not value:
        raise BadRequest("seat_ids must be a non-empty list of seat ids.")
    if not all(
        isinstance(v, int) and not isinstance(v, bool) and 0 < v <= MAX_ID
        for v in value
    ):
        raise BadRequest("seat_ids must contain positive integers below 2^63 only.")
    if len(set(value)) != len(value):
        raise BadRequest("seat_ids must not repeat a seat.")
    if len(value) > settings.SEAT_MAX_PER_HOLDER:
        raise TooManySeats(
            f"One person may hold at most {settings.SEAT_MAX_PER_HOLDER} seats "
            "for this event.",
            seat_ids=value,
        )
    return tuple(value)
