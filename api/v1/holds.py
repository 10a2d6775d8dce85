"""A hold, addressed by its token: read, add seats, extend, release."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from api.v1 import auth
from api.v1.schemas import (
    HoldOut,
    Problem,
    ReleaseOut,
    SeatsToRelease,
    SeatsWanted,
    hold_out,
)
from seats import selectors
from seats.errors import HoldNotFound
from seats.services import tokens

router = Router(tags=["holds"])

REFUSALS = {404: Problem, 409: Problem, 422: Problem}


def _current(token: str) -> dict[str, Any]:
    return hold_out(selectors.hold_details(tokens.running_hold(token)))


@router.get("/holds/{token}", response={200: HoldOut, 404: Problem}, auth=auth.read)
def get_hold(request: HttpRequest, token: str) -> dict[str, Any]:
    return _current(token)


@router.post(
    "/holds/{token}/seats",
    response={200: HoldOut, **REFUSALS},
    auth=auth.sell,
    description="Add seats (given, or the best) to the hold; they share its expiry.",
)
def add_seats(request: HttpRequest, token: str, body: SeatsWanted) -> dict[str, Any]:
    if body.best is not None:
        tokens.add_best(
            token,
            count=body.best.count,
            category=body.best.category,
            accessible=body.best.accessible,
        )
    else:
        assert body.seat_ids is not None  # the schema asks for one of them
        tokens.add_seats(token, body.seat_ids)
    return _current(token)


@router.post(
    "/holds/{token}/extend",
    response={200: HoldOut, **REFUSALS},
    auth=auth.sell,
    description="Push the expiry out by the hold length, up to `max_until`.",
)
def extend_hold(request: HttpRequest, token: str) -> dict[str, Any]:
    tokens.extend(token)
    return _current(token)


def _release(token: str, seat_ids: list[int] | None) -> dict[str, Any]:
    released = tokens.release(token, seat_ids)
    try:
        left: dict[str, Any] | None = _current(token)
    except HoldNotFound:
        left = None  # that was the last of it: the token is spent
    return {"released": released, "hold": left}


@router.post(
    "/holds/{token}/release",
    response={200: ReleaseOut, **REFUSALS},
    auth=auth.sell,
    description="Release some seats of the hold, or all of them.",
)
def release_seats(
    request: HttpRequest, token: str, body: SeatsToRelease
) -> dict[str, Any]:
    return _release(token, body.seat_ids)


@router.delete(
    "/holds/{token}",
    response={200: ReleaseOut, **REFUSALS},
    auth=auth.sell,
    description="Release the whole hold.",
)
def delete_hold(request: HttpRequest, token: str) -> dict[str, Any]:
    return _release(token, None)
