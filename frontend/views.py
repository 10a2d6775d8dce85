"""The pages: event list, live seat map, staff dashboard."""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from seats import selectors
from seats.holders import holder_for_session
from seats.models import Event


def event_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "frontend/event_list.html", {"events": selectors.events_with_counts()}
    )


def seat_map(request: HttpRequest, event_id: int) -> HttpResponse:
    """The map page; gives the browser its session and holder id for the socket."""
    event = get_object_or_404(Event, pk=event_id)
    holder_for_session(request.session)
    return render(
        request,
        "frontend/seat_map.html",
        {
            "event": event,
            "hold_seconds": settings.SEAT_HOLD_SECONDS,
            "max_per_holder": settings.SEAT_MAX_PER_HOLDER,
        },
    )


@staff_member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "frontend/dashboard.html",
        {"release_url": reverse("release-expired-locks")},
    )
