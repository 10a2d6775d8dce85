"""The JSON HTTP API: thin views over selectors and services."""

from __future__ import annotations

from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from seats import selectors, services
from seats.holders import session_holder
from seats.models import Event


@require_GET
def events(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"events": selectors.event_summaries()})


@require_GET
def event_seats(request: HttpRequest, event_id: int) -> JsonResponse:
    """The same snapshot a WebSocket client gets on connect."""
    try:
        snapshot = selectors.seat_map(
            event_id=event_id, viewer=session_holder(request.session)
        )
    except Event.DoesNotExist:
        raise Http404("No such event.") from None
    return JsonResponse(snapshot)


@require_POST
def release_expired_locks(request: HttpRequest) -> JsonResponse:
    """Staff only; CSRF-protected like every other POST."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return JsonResponse(
            {"error": "forbidden", "message": "Staff only."}, status=403
        )
    released = services.release_expired()
    return JsonResponse({"released": len(released)})
