"""The pages: event list, live seat map, staff dashboard; the hand-off to checkout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import unquote_plus, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseRedirectBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from access import is_staff, staff_required
from frontend import tickets
from frontend.presales import presale_open
from plans import drafts
from seats import reports, selectors
from seats.holders import holder_for_session, session_holder
from seats.models import BookedSeat, Booking, Event, SeatingPlan
from seats.outbox import health
from seats.services.staff_texts import span_text
from seats.waiting import services as waiting

# Notices on the map, in the visitor's language (docs/languages.md).
HOLD_ENDED_TEXT = _("Your hold has ended; pick seats again.")
NO_CHECKOUT_TEXT = _("This event has no checkout; book your seats here.")


class HttpResponseSeeOther(HttpResponseRedirectBase):
    """303: the browser follows with a GET, whatever the form posted."""

    status_code = 303


def event_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "frontend/event_list.html", {"events": selectors.events_with_counts()}
    )


def seat_map(request: HttpRequest, event_id: int) -> HttpResponse:
    """The map page; gives the browser its session and holder id for the socket.

    While the event's waiting room is on, a visitor it has not admitted gets
    the waiting page instead (staff never wait); an admitted one gets the
    map with the admission's countdown.
    """
    event = get_object_or_404(Event, pk=event_id)
    holder = holder_for_session(request.session)
    room = waiting.active_room(event.id)
    admitted_until = None
    if room is not None and not is_staff(request.user):
        now = timezone.now()
        if not waiting.is_admitted(event_id=event.id, holder=holder, now=now):
            return render(
                request,
                "frontend/waiting.html",
                {"event": event, "room": room},
            )
        admitted_until = waiting.admitted_until(event_id=event.id, holder=holder)
    return _map_page(request, event_id, box_office=False, admitted_until=admitted_until)


def _map_page(
    request: HttpRequest,
    event_id: int,
    *,
    box_office: bool,
    admitted_until: datetime | None = None,
) -> HttpResponse:
    event = get_object_or_404(Event, pk=event_id)
    holder_for_session(request.session)
    return render(
        request,
        "frontend/seat_map.html",
        map_context(
            event,
            box_office=box_office,
            admitted_until=admitted_until,
            presale_open=not box_office and presale_open(event.id),
        ),
    )


def map_context(
    event: Event,
    *,
    box_office: bool,
    presale_open: bool,
    admitted_until: datetime | None = None,
) -> dict[str, object]:
    """What frontend/seatmap_layout.html needs: the page and the embedded
    map (frontend.embed) give it the same."""
    return {
        "event": event,
        "hold_seconds": settings.SEAT_HOLD_SECONDS,
        "max_per_holder": settings.SEAT_MAX_PER_HOLDER,
        "box_office": box_office,
        "admitted_until": admitted_until,
        "keep_max_text": span_text(
            timedelta(seconds=settings.SEAT_BOX_OFFICE_HOLD_MAX_SECONDS)
        ),
        "presale_open": presale_open,
    }


@staff_required
def plan_editor(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The seating-plan editor (docs/plans.md, "Drawing a plan in the
    browser"): the page; its draft comes through /api/staff/plans/<id>."""
    plan = get_object_or_404(SeatingPlan, pk=plan_id)
    user = request.user
    return render(
        request,
        "frontend/plan_editor.html",
        {
            "plan": plan,
            "api": f"/api/staff/plans/{plan.pk}",
            "user_name": user.get_full_name() or user.get_username(),
        },
    )


@staff_required
def box_office(request: HttpRequest, event_id: int) -> HttpResponse:
    """The live map in staff mode: select any seats, sell, block, release."""
    return _map_page(request, event_id, box_office=True)


@never_cache
@require_POST
def checkout(request: HttpRequest, event_id: int) -> HttpResponse:
    """Send the browser to the shop with its running hold's token.

    The token leaves our site only as this redirect's Location (a POST
    answer, never cached): no page or socket frame of ours carries it, so
    it cannot leak through our URLs, history or logs.
    """
    event = get_object_or_404(Event, pk=event_id)
    back = reverse("seat-map", args=[event.id])
    if not event.checkout_url:
        messages.info(request, NO_CHECKOUT_TEXT)
        return HttpResponseSeeOther(back)
    token = selectors.handed_over_token(
        event_id=event.id, holder=session_holder(request.session), now=timezone.now()
    )
    if token is None:
        messages.warning(request, HOLD_ENDED_TEXT)
        return HttpResponseSeeOther(back)
    return HttpResponseSeeOther(
        with_query(event.checkout_url, hold_token=token, event_id=str(event.id))
    )


def with_query(url: str, **params: str) -> str:
    """`url` with `params` added to its query string.

    The shop's own parameters stay exactly as written (order, encoding,
    blank values); only ones named like ours are dropped, so a stale
    `hold_token` in the configured URL can never win.
    """
    parts = urlsplit(url)
    kept = [
        pair
        for pair in parts.query.split("&")
        if pair and unquote_plus(pair.split("=", 1)[0]) not in params
    ]
    query = "&".join([*kept, urlencode(params)])
    return urlunsplit(parts._replace(query=query))


@dataclass(frozen=True)
class EndpointRow:
    """One webhook endpoint as the dashboard shows it, with its admin page."""

    endpoint: health.EndpointHealth
    admin_url: str


def webhook_rows() -> list[EndpointRow]:
    return [
        EndpointRow(endpoint=e, admin_url=_admin_url(e.id))
        for e in health.webhook_endpoints()
    ]


def _admin_url(endpoint_id: int) -> str:
    return reverse("admin:seats_webhookendpoint_change", args=[endpoint_id])


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "frontend/dashboard.html",
        {
            "release_url": reverse("release-expired-locks"),
            "webhooks": webhook_rows(),
            "events": Event.objects.order_by("starts_at", "id"),
            "plans": SeatingPlan.objects.order_by("name", "id"),
        },
    )


@staff_required
@require_POST
def new_plan(request: HttpRequest) -> HttpResponse:
    """An empty plan from the dashboard's form, opened in the editor."""
    plan = drafts.new_plan(request.POST.get("name", ""))
    return redirect("plan-editor", plan_id=plan.pk)


@never_cache
@staff_required
def box_office_lookup(request: HttpRequest) -> HttpResponse:
    """Find a booking by its reference or its buyer's name (`?q=`), and the
    seats the box office keeps for someone of that name."""
    query = request.GET.get("q", "")[:200]
    searched = bool(query.strip())
    found = reports.find_bookings(query) if searched else None
    kept = reports.find_kept_holds(query) if searched else []
    return render(
        request,
        "frontend/lookup.html",
        {"query": query, "found": found, "kept": kept, "limit": reports.MAX_FOUND},
    )


@never_cache
@staff_required
def box_office_confirmation(request: HttpRequest, reference: str) -> HttpResponse:
    """A printable confirmation of one booking: reference, seats, customer."""
    if "\x00" in reference:  # no reference has one; PostgreSQL would refuse it
        raise Http404("No such booking.")
    booking = get_object_or_404(
        Booking.objects.select_related("event"), reference=reference
    )
    [line] = reports.bookings_of(booking.event_id, reference=reference)
    # What is still sold; a whole cancelled booking shows what it was sold for.
    kept = [s for s in line.sold if not s.is_cancelled] or line.sold
    return render(
        request,
        "frontend/confirmation.html",
        {
            "booking": booking,
            "line": line,
            "total": sum(s.price for s in kept),
            "refunded": line.refunded,
        },
    )


@never_cache
@staff_required
def box_office_ticket(
    request: HttpRequest, reference: str, seat_id: int
) -> HttpResponse:
    """A printable ticket for one seat still in the booking (who may see the
    confirmation may see its tickets: staff)."""
    if "\x00" in reference:  # no reference has one; PostgreSQL would refuse it
        raise Http404("No such ticket.")
    try:
        ticket = reports.ticket(reference=reference, seat_id=seat_id)
    except BookedSeat.DoesNotExist:
        raise Http404("No such ticket.") from None
    code = tickets.ticket_code(ticket.reference, seat_id)
    return render(
        request,
        "frontend/ticket.html",
        {"ticket": ticket, "code": code, "qr": tickets.qr_svg(code)},
    )
