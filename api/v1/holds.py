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
    Retime,
    SeatsToRelease,
    SeatsWanted,
)
from seats import details
from seats.services import HoldResult, tokens
from wire import rest

router = Router(tags=["holds"])

REFUSALS = {404: Problem, 409: Problem, 422: Problem}


def _hold(result: HoldResult) -> dict[str, Any]:
    assert result.details is not None  # the token services read it
    return rest.hold(result.details)


@router.get("/holds/{token}", response={200: HoldOut, 404: Problem}, auth=auth.read)
def get_hold(request: HttpRequest, token: str) -> dict[str, Any]:
    return rest.hold(details.hold_details(tokens.running_hold(token)))


@router.post(
    "/holds/{token}/seats",
    response={200: HoldOut, **REFUSALS},
    auth=auth.sell,
    description=(
        "Add seats (given, or the best) or standing places to the hold; they "
        "share its expiry."
    ),
)
def add_seats(request: HttpRequest, token: str, body: SeatsWanted) -> dict[str, Any]:
    if body.best is not None:
        return _hold(
            tokens.add_best(
                token,
                count=body.best.count,
                category=body.best.category,
                accessible=body.best.accessible,
                channels=auth.key_channels(request),
            )
        )
    return _hold(
        tokens.add_seats(
            token,
            body.seat_ids or [],
            places=body.wanted_places(),
            channels=auth.key_channels(request),
        )
    )


@router.post(
    "/holds/{token}/extend",
    response={200: HoldOut, **REFUSALS},
    auth=auth.sell,
    description=(
        "Without a body, push the expiry out by the standard hold length, up to "
        "`max_until`. With `expires_in_minutes`, re-time the hold: it runs out "
        "that many minutes from now (sooner or later than before), and "
        "`max_until` becomes the cap from now."
    ),
)
def extend_hold(
    request: HttpRequest, token: str, body: Retime | None = None
) -> dict[str, Any]:
    minutes = body.expires_in_minutes if body is not None else None
    return _hold(tokens.extend(token, expires_in_minutes=minutes))


def _release(token: str, seat_ids: list[int] | None) -> dict[str, Any]:
    released = tokens.release(token, seat_ids)
    return rest.released(released.seat_ids, released.left)


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
