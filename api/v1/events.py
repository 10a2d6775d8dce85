"""Events: the list, one event with its prices, its seat map; new holds."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from api.layouts import layout_ref
from api.v1 import auth
from api.v1.problems import NOT_FOUND
from api.v1.schemas import EventDetailOut, EventList, HoldOut, NewHold, Problem
from seats import details, layouts, selectors, services
from seats.errors import RequestError
from seats.models import Event
from seats.services import tokens
from wire import frames, rest

router = Router(tags=["events"])


class EventNotFound(RequestError):
    code = NOT_FOUND
    default_message = "There is no such event."


@router.get("/events", response=EventList, auth=auth.read_events)
def list_events(request: HttpRequest) -> dict[str, Any]:
    summaries = selectors.event_summaries()
    issued = auth.issued_events(request)
    if issued is not None:
        summaries = [s for s in summaries if s.id in issued]
    return rest.event_list(summaries)


@router.get(
    "/events/{event_id}",
    response={200: EventDetailOut, 404: Problem},
    auth=auth.read_events,
)
def get_event(request: HttpRequest, event_id: int) -> dict[str, Any]:
    if not auth.event_allowed(request, event_id):
        raise EventNotFound()
    try:
        found = details.event_details(event_id)
        layout = layouts.layout_at(event_id, layouts.layout_version(event_id))
    except Event.DoesNotExist:
        raise EventNotFound() from None
    return rest.event_detail(found, layout_ref(layout))


@router.get(
    "/events/{event_id}/seats",
    response={200: dict[str, Any], 404: Problem},
    auth=auth.read_events,
    description=(
        "The seat map: the same document as the WebSocket `snapshot` frame "
        "(docs/asyncapi.yaml), as nobody in particular sees it."
    ),
)
def get_seat_map(request: HttpRequest, event_id: int) -> Any:
    if not auth.event_allowed(request, event_id):
        raise EventNotFound()
    try:
        seat_map = selectors.seat_map(event_id=event_id, viewer=None)
    except Event.DoesNotExist:
        raise EventNotFound() from None
    return dict(frames.snapshot(seat_map))


@router.post(
    "/events/{event_id}/holds",
    response={201: HoldOut, 404: Problem, 409: Problem, 422: Problem},
    auth=auth.sell,
    description=(
        "Hold seats for one customer: the given `seat_ids` and/or `places` of "
        "standing areas (all or nothing), or the `best` neighbouring seats, for "
        "`expires_in_minutes` if given (else the standard hold length). The "
        "answer's `token` addresses this hold from now on."
    ),
)
def create_hold(
    request: HttpRequest, event_id: int, body: NewHold
) -> Status[dict[str, Any]]:
    if not Event.objects.filter(pk=event_id).exists():
        raise EventNotFound()
    holder = tokens.new_api_holder()
    channels = auth.key_channels(request)
    if body.best is not None:
        result = services.hold_best(
            event_id=event_id,
            holder=holder,
            count=body.best.count,
            category=body.best.category,
            accessible=body.best.accessible,
            details=True,
            expires_in_minutes=body.expires_in_minutes,
            channels=channels,
        )
    else:
        result = services.hold_seats(
            event_id=event_id,
            holder=holder,
            seat_ids=body.seat_ids or [],
            places=body.wanted_places(),
            details=True,
            expires_in_minutes=body.expires_in_minutes,
            channels=channels,
        )
    assert result.details is not None
    return Status(201, rest.hold(result.details))
