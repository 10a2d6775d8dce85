"""JSON views under /api/: event list, seat map, the staff release button."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST

from seats import selectors, services
from seats.holders import session_holder
from seats.models import Event
from wire import frames


def _json(document: object, status: int = 200) -> HttpResponse:
    return HttpResponse(
        frames.dumps(document), status=status, content_type="application/json"
    )


@require_GET
def events(request: HttpRequest) -> HttpResponse:
    return _json(frames.event_list(selectors.event_summaries()))


@require_GET
def event_seats(request: HttpRequest, event_id: int) -> HttpResponse:
    """The same snapshot document a WebSocket client gets on connect."""
    try:
        seat_map = selectors.seat_map(
            event_id=event_id, viewer=session_holder(request.session)
        )
    except Event.DoesNotExist:
        raise Http404("No such event.") from None
    return _json(frames.snapshot(seat_map))


@require_POST
def release_expired_locks(request: HttpRequest) -> HttpResponse:
    """Staff only; CSRF-protected like every other POST."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return _json(frames.forbidden(), status=403)
    return _json(frames.released(len(services.release_expired())))
