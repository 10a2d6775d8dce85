"""JSON views under /api/: event list, seat map, the staff release button."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST

from access import is_staff
from api.responses import json_response
from seats import selectors, services
from seats.holders import session_channels, session_holder
from seats.models import Event
from wire import dashboard_frames, frames


@require_GET
def events(request: HttpRequest) -> HttpResponse:
    return json_response(dashboard_frames.event_list(selectors.event_summaries()))


@require_GET
def event_seats(request: HttpRequest, event_id: int) -> HttpResponse:
    """The same snapshot document a WebSocket client gets on connect."""
    try:
        seat_map = selectors.seat_map(
            event_id=event_id,
            viewer=session_holder(request.session),
            unlocked=session_channels(request.session, event_id),
        )
    except Event.DoesNotExist:
        raise Http404("No such event.") from None
    return json_response(frames.snapshot(seat_map))


@require_POST
def release_expired_locks(request: HttpRequest) -> HttpResponse:
    """Staff only; CSRF-protected like every other POST."""
    if not is_staff(request.user):
        return json_response(dashboard_frames.forbidden(), status=403)
    return json_response(dashboard_frames.released(len(services.release_expired())))
